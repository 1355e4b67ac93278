//! Credits bought through Stripe: checkouts against a local stand-in of Stripe's HTTP API, and
//! webhook events signed with Stripe's documented scheme (HMAC-SHA256 over `t.payload`), computed
//! here independently of the server's code.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, dev::ServerHandle, web};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, assert_budget_exceeded, spawn_app, spawn_app_with};

const SECRET_KEY: &str = "sk_test_tenantry";
const WEBHOOK_SECRET: &str = "whsec_test_tenantry";

/// One checkout request Stripe received: authorization, idempotency key, form body.
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// A stand-in for `POST /v1/checkout/sessions`.
struct FakeStripe {
    base_url: String,
    received: Received,
    failing: Arc<AtomicBool>,
    _handle: ServerHandle,
}

async fn create_session(
    state: web::Data<(Received, Arc<AtomicBool>)>,
    req: HttpRequest,
    body: String,
) -> HttpResponse {
    if state.1.load(Ordering::SeqCst) {
        return HttpResponse::InternalServerError().json(json!({ "error": { "message": "down" } }));
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let n = {
        let mut received = state.0.lock().expect("lock");
        received.push((header("authorization"), header("idempotency-key"), body));
        received.len()
    };
    HttpResponse::Ok().json(json!({
        "id": format!("cs_test_{n}"),
        "object": "checkout.session",
        "url": format!("https://checkout.stripe.test/c/pay/cs_test_{n}"),
    }))
}

impl FakeStripe {
    fn start() -> Self {
        let received = Received::default();
        let failing = Arc::new(AtomicBool::new(false));
        let state = web::Data::new((received.clone(), failing.clone()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/v1/checkout/sessions", web::post().to(create_session))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            received,
            failing,
            _handle: handle,
        }
    }
}

async fn billing_app(stripe: &FakeStripe) -> TestApp {
    let base = stripe.base_url.clone();
    spawn_app_with(move |config| {
        config.billing.provider = tenantry::config::PaymentProviderKind::Stripe;
        config.billing.stripe_api_base = base;
        config.billing.stripe_secret_key = SECRET_KEY.into();
        config.billing.stripe_webhook_secret = WEBHOOK_SECRET.into();
    })
    .await
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64
}

/// `v1` as Stripe documents it: hex HMAC-SHA256 with the endpoint secret over `{t}.{payload}`.
fn v1(secret: &str, timestamp: i64, payload: &str) -> String {
    let mut mac = Hmac::<sha2_11::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn completed_event(event_id: &str, checkout: &str) -> String {
    json!({
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": checkout,
            "object": "checkout.session",
            "payment_status": "paid",
            "status": "complete",
        }},
    })
    .to_string()
}

async fn deliver(app: &TestApp, signature: Option<String>, payload: &str) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/api/billing/webhook"))
        .header("content-type", "application/json")
        .body(payload.to_owned());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = request.send().await.expect("webhook");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn deliver_signed(app: &TestApp, payload: &str) -> (u16, Value) {
    let t = now();
    deliver(
        app,
        Some(format!("t={t},v1={}", v1(WEBHOOK_SECRET, t, payload))),
        payload,
    )
    .await
}

async fn shared_org(app: &TestApp, token: &str) -> String {
    let (status, org) = app.api(token).create_org(json!({ "name": "Paying Org" })).await;
    assert_eq!(status, 201, "{org}");
    org["id"].as_str().expect("org").to_owned()
}

async fn checkout(app: &TestApp, token: &str, org: &str, amount: f64) -> (u16, Value) {
    app.call(
        "POST",
        token,
        &format!("/api/orgs/{org}/billing/checkout"),
        Some(json!({ "amount": amount })),
    )
    .await
}

async fn billing(app: &TestApp, token: &str, org: &str) -> Value {
    let (status, body) = app.api(token).get(&format!("/api/orgs/{org}/billing")).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn checkout_id(session: &Value) -> String {
    session["checkout_url"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("checkout url")
        .to_owned()
}

#[tokio::test]
async fn a_paid_checkout_credits_the_org_once_however_often_it_is_delivered() {
    let stripe = FakeStripe::start();
    let app = billing_app(&stripe).await;
    let owner = app.register("owner.billing@example.com", PASSWORD).await;
    let admin = app.register("admin.billing@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner.access_token).await;
    let (status, _) = app
        .api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "admin.billing@example.com", "role": "admin" }),
        )
        .await;
    assert_eq!(status, 201);

    let (status, body) = checkout(&app, &admin.access_token, &org, 10.0).await;
    assert_eq!(status, 403, "only owners buy: {body}");
    for bad in [0.5, 10.001, 1e9] {
        let (status, body) = checkout(&app, &owner.access_token, &org, bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, session) = checkout(&app, &owner.access_token, &org, 25.5).await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(
        (session["status"].as_str(), session["amount_micros"].as_i64()),
        (Some("in_progress"), Some(25_500_000))
    );
    let received = stripe.received.lock().expect("lock").clone();
    assert_eq!(received.len(), 1);
    let (authorization, idempotency_key, form) = &received[0];
    assert_eq!(authorization, &format!("Bearer {SECRET_KEY}"));
    assert_eq!(idempotency_key, session["id"].as_str().expect("id"));
    assert!(
        form.contains("unit_amount%5D=2550") || form.contains("unit_amount]=2550"),
        "{form}"
    );
    assert!(
        form.contains(&format!(
            "client_reference_id={}",
            session["id"].as_str().expect("id")
        )),
        "{form}"
    );
    assert!(form.contains("mode=payment"), "{form}");

    let before = billing(&app, &admin.access_token, &org).await;
    assert_eq!(before["balance_micros"], 0);
    assert_eq!(before["sessions"][0]["status"], "in_progress");

    let event = completed_event("evt_paid_1", &checkout_id(&session));
    let (status, receipt) = deliver_signed(&app, &event).await;
    assert_eq!(
        (status, receipt["credited"].as_bool()),
        (200, Some(true)),
        "{receipt}"
    );
    // The same event again, and another event about the same checkout: nothing more.
    let (status, receipt) = deliver_signed(&app, &event).await;
    assert_eq!(
        (status, receipt["credited"].as_bool()),
        (200, Some(false)),
        "{receipt}"
    );
    let other = completed_event("evt_paid_2", &checkout_id(&session));
    let (status, receipt) = deliver_signed(&app, &other).await;
    assert_eq!(
        (status, receipt["credited"].as_bool()),
        (200, Some(false)),
        "{receipt}"
    );
    // An event Tenantry does not act on is acknowledged.
    let unrelated =
        json!({ "id": "evt_x", "type": "customer.created", "data": { "object": {} } }).to_string();
    let (status, receipt) = deliver_signed(&app, &unrelated).await;
    assert_eq!((status, receipt["credited"].as_bool()), (200, Some(false)));

    let after = billing(&app, &admin.access_token, &org).await;
    assert_eq!(after["balance_micros"], 25_500_000, "{after}");
    assert_eq!(after["balance"], 25.5);
    assert_eq!(after["ledger"].as_array().map(Vec::len), Some(1));
    assert_eq!(after["ledger"][0]["kind"], "purchase");
    assert_eq!(after["sessions"][0]["status"], "completed");
    let (_, audit) = app.api(&owner.access_token).audit_log(&org).await;
    let text = audit.to_string();
    assert!(
        text.contains("billing.checkout_started") && text.contains("billing.credits_purchased"),
        "{text}"
    );
}

#[tokio::test]
async fn deliveries_with_a_wrong_stale_tampered_or_missing_signature_are_refused() {
    let stripe = FakeStripe::start();
    let app = billing_app(&stripe).await;
    let owner = app.register("owner.signatures@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner.access_token).await;
    let (_, session) = checkout(&app, &owner.access_token, &org, 40.0).await;
    let event = completed_event("evt_sig", &checkout_id(&session));
    let t = now();

    let cases: Vec<(&str, Option<String>, String)> = vec![
        ("missing", None, event.clone()),
        ("garbage", Some("nonsense".into()), event.clone()),
        (
            "wrong secret",
            Some(format!("t={t},v1={}", v1("whsec_wrong", t, &event))),
            event.clone(),
        ),
        (
            "stale",
            Some(format!(
                "t={},v1={}",
                t - 301,
                v1(WEBHOOK_SECRET, t - 301, &event)
            )),
            event.clone(),
        ),
        (
            "tampered body",
            Some(format!("t={t},v1={}", v1(WEBHOOK_SECRET, t, &event))),
            event.replace("evt_sig", "evt_sig2"),
        ),
        (
            "signature for another timestamp",
            Some(format!("t={t},v1={}", v1(WEBHOOK_SECRET, t - 1, &event))),
            event.clone(),
        ),
    ];
    for (case, signature, payload) in cases {
        let (status, body) = deliver(&app, signature, &payload).await;
        assert_eq!(status, 400, "{case}: {body}");
        assert!(
            body["code"]
                .as_str()
                .is_some_and(|code| code.ends_with("signature")),
            "{case}: {body}"
        );
    }
    assert_eq!(
        billing(&app, &owner.access_token, &org).await["balance_micros"],
        0
    );

    // Several v1 signatures (a secret being rolled): one matching is enough.
    let header = format!(
        "t={t},v1={},v0=legacy,v1={}",
        v1("whsec_old", t, &event),
        v1(WEBHOOK_SECRET, t, &event)
    );
    let (status, receipt) = deliver(&app, Some(header), &event).await;
    assert_eq!(
        (status, receipt["credited"].as_bool()),
        (200, Some(true)),
        "{receipt}"
    );
    assert_eq!(
        billing(&app, &owner.access_token, &org).await["balance_micros"],
        40_000_000
    );
}

#[tokio::test]
async fn concurrent_deliveries_credit_each_purchase_exactly_once() {
    let stripe = FakeStripe::start();
    let app = billing_app(&stripe).await;
    let owner = app.register("owner.concurrent@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner.access_token).await;
    let mut events = Vec::new();
    for n in 1..=10 {
        let (status, session) = checkout(&app, &owner.access_token, &org, f64::from(n)).await;
        assert_eq!(status, 201);
        events.push(completed_event(&format!("evt_c{n}"), &checkout_id(&session)));
    }
    // Every event five times, all fifty at once.
    let deliveries = events.iter().flat_map(|event| std::iter::repeat_n(event, 5));
    let receipts = futures::future::join_all(deliveries.map(|event| deliver_signed(&app, event))).await;
    assert!(receipts.iter().all(|(status, _)| *status == 200), "{receipts:?}");
    let credited = receipts
        .iter()
        .filter(|(_, receipt)| receipt["credited"] == true)
        .count();
    assert_eq!(credited, 10);
    let overview = billing(&app, &owner.access_token, &org).await;
    assert_eq!(overview["balance_micros"], 55_000_000, "1 + 2 + … + 10");
    assert_eq!(overview["ledger"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn a_failing_provider_or_none_at_all_is_a_clear_answer() {
    let stripe = FakeStripe::start();
    let app = billing_app(&stripe).await;
    let owner = app.register("owner.failing@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner.access_token).await;
    stripe.failing.store(true, Ordering::SeqCst);
    let (status, body) = checkout(&app, &owner.access_token, &org, 5.0).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("payment_provider_failed")),
        "{body}"
    );
    // The session stays recorded, without a checkout to pay.
    let overview = billing(&app, &owner.access_token, &org).await;
    assert_eq!(overview["sessions"][0]["status"], "in_progress");
    assert!(overview["sessions"][0]["checkout_url"].is_null());

    let plain = spawn_app().await;
    let owner = plain.register("owner.plain@example.com", PASSWORD).await;
    let org = shared_org(&plain, &owner.access_token).await;
    let (status, body) = checkout(&plain, &owner.access_token, &org, 5.0).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("billing_disabled")),
        "{body}"
    );
    let (status, _) = deliver(&plain, Some("t=1,v1=00".into()), "{}").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn with_credits_as_the_budget_usage_debits_the_ledger_exactly_and_an_empty_balance_stops_agents() {
    let stripe = FakeStripe::start();
    let app = billing_app(&stripe).await;
    let owner = app.register("owner.credits@example.com", PASSWORD).await;
    let token = &owner.access_token;
    let org = shared_org(&app, token).await;
    let buy = |amount: f64, event: &'static str| {
        let app = &app;
        let org = org.clone();
        async move {
            let (status, session) = checkout(app, token, &org, amount).await;
            assert_eq!(status, 201, "{session}");
            let (status, receipt) =
                deliver_signed(app, &completed_event(event, &checkout_id(&session))).await;
            assert_eq!((status, receipt["credited"].as_bool()), (200, Some(true)));
        }
    };
    buy(3.0, "evt_credit_1").await;
    let (status, budget) = app
        .call(
            "PUT",
            token,
            &format!("/api/orgs/{org}/budget"),
            Some(json!({ "budget_source": "credits" })),
        )
        .await;
    assert_eq!(
        (status, budget["budget_source"].as_str()),
        (200, Some("credits")),
        "{budget}"
    );
    let (status, bad) = app
        .call(
            "PUT",
            token,
            &format!("/api/orgs/{org}/budget"),
            Some(json!({ "budget_source": "cash" })),
        )
        .await;
    assert_eq!(status, 422, "{bad}");

    let (_, conversation) = app.api(token).create_conversation(&org, json!({})).await;
    let id = conversation["id"].as_str().expect("id").to_owned();
    // Twenty reports of 0.1 at once: exactly 2.0 debited, one ledger line each.
    let usage_path = format!("/api/orgs/{org}/conversations/{id}/usage");
    let report = json!({ "prompt_tokens": 1, "completion_tokens": 1, "cost": 0.1 });
    let reports = (0..20).map(|_| app.call("POST", token, &usage_path, Some(report.clone())));
    let answers = futures::future::join_all(reports).await;
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
    let overview = billing(&app, token, &org).await;
    assert_eq!(overview["balance_micros"], 1_000_000, "{overview}");
    let usage_lines = overview["ledger"]
        .as_array()
        .expect("ledger")
        .iter()
        .filter(|line| line["kind"] == "usage")
        .count();
    assert_eq!(usage_lines, 20);

    // Spending beyond the balance is recorded, and then nothing starts.
    let (status, _) = app
        .api(token)
        .add_usage(
            &org,
            &id,
            json!({ "prompt_tokens": 1, "completion_tokens": 1, "cost": 1.5 }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(billing(&app, token, &org).await["balance_micros"], -500_000);
    let (_, flagged) = app.api(token).conversation(&org, &id).await;
    assert_eq!(flagged["over_budget"], true);
    let (status, refused) = app.api(token).create_conversation(&org, json!({})).await;
    assert_budget_exceeded(status, &refused, 3.0, 3.5);

    // Buying more lets agents start again.
    buy(5.0, "evt_credit_2").await;
    let (status, _) = app.api(token).create_conversation(&org, json!({})).await;
    assert_eq!(status, 201);
    assert_eq!(billing(&app, token, &org).await["balance_micros"], 4_500_000);
}
