//! The signal bus under a burst: every signal reaches a reader once and in the order published,
//! and signals that find the bus full are replaced by a resync rather than lost silently.

use std::time::Duration;

use tenantry_domain::{
    new_id,
    ports::{Signal, SignalBus, SignalReceiver},
};
use tenantry_sql::{DatabaseOptions, SqlDatabase, SqlSignalBus};

use crate::support::TestDatabase;

const WAIT: Duration = Duration::from_secs(20);

async fn database(test: &TestDatabase) -> SqlDatabase {
    SqlDatabase::connect(&DatabaseOptions {
        url: test.url.clone(),
        max_connections: 4,
        min_connections: 0,
        acquire_timeout: Duration::from_secs(10),
        sqlite_busy_timeout: Duration::from_secs(5),
        sqlite_max_size_bytes: 0,
        statement_timeout: Duration::from_secs(30),
        lock_timeout: Duration::from_secs(5),
    })
    .await
    .expect("connect")
}

async fn next(receiver: &mut Box<dyn SignalReceiver>) -> Signal {
    tokio::time::timeout(WAIT, receiver.recv())
        .await
        .expect("a signal in time")
}

/// The next signal that is not a resync: a PostgreSQL listener announces its (re)connection with one.
async fn next_change(receiver: &mut Box<dyn SignalReceiver>) -> Signal {
    loop {
        match next(receiver).await {
            Signal::Resync => continue,
            signal => return signal,
        }
    }
}

#[tokio::test]
async fn a_burst_of_signals_arrives_once_each_and_in_order() {
    let test = TestDatabase::create().await;
    let db = database(&test).await;
    let bus = SqlSignalBus::start(&db, 4096);
    let mut receiver = bus.subscribe();
    // The listener is up once a first signal makes the round trip.
    let (org, conversation) = (new_id(), new_id());
    bus.publish(Signal::AccessChanged { org }).await.expect("publish");
    assert_eq!(next_change(&mut receiver).await, Signal::AccessChanged { org });

    for last_id in 0..2000 {
        bus.publish(Signal::Appended {
            org,
            conversation,
            last_id,
        })
        .await
        .expect("publish");
        if last_id % 97 == 0 {
            tokio::task::yield_now().await;
        }
    }
    for last_id in 0..2000 {
        assert_eq!(
            next_change(&mut receiver).await,
            Signal::Appended {
                org,
                conversation,
                last_id
            }
        );
    }
}

#[tokio::test]
async fn signals_that_find_the_bus_full_become_a_resync() {
    let test = TestDatabase::create().await;
    let db = database(&test).await;
    let bus = SqlSignalBus::start(&db, 8192);
    let mut receiver = bus.subscribe();
    let (org, conversation) = (new_id(), new_id());
    bus.publish(Signal::AccessChanged { org }).await.expect("publish");
    assert_eq!(next_change(&mut receiver).await, Signal::AccessChanged { org });

    // Published without a pause, more than PostgreSQL's bus queues for publishing (SQLite's
    // hands them to readers at once, and this reader's buffer holds them all).
    const PUBLISHED: i64 = 5000;
    for last_id in 0..PUBLISHED {
        bus.publish(Signal::Appended {
            org,
            conversation,
            last_id,
        })
        .await
        .expect("publish");
    }
    let mut delivered = Vec::new();
    let mut resync = false;
    while delivered.len() < PUBLISHED as usize {
        match next(&mut receiver).await {
            Signal::Resync => {
                resync = true;
                break;
            }
            Signal::Appended { last_id, .. } => delivered.push(last_id),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        delivered.iter().copied().eq(0..delivered.len() as i64),
        "what arrives comes in order, with nothing left out before the resync"
    );
    if test.is_postgres() {
        assert!(
            resync && delivered.len() < PUBLISHED as usize,
            "the overflow is announced"
        );
    } else {
        assert_eq!(delivered.len(), PUBLISHED as usize);
    }
}
