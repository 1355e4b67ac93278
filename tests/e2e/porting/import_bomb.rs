//! A gzip bomb: a small archive whose one event line expands to 256 MiB. The import refuses it
//! before writing anything, saying which limit, and its memory stays far below the expanded size.

use std::{io::Read, process::Stdio, time::Duration};

use flate2::{Compress, Compression, Crc, FlushCompress};
use serde_json::json;

use super::{PASSWORD, listing};
use crate::support::spawn_app;

const LINE: u64 = 256 * 1024 * 1024;
const CHUNK: usize = 1024 * 1024;

/// A tar entry: header, contents, padding.
fn entry_header(path: &str, size: u64) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path(path).expect("path");
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    header.as_bytes().to_vec()
}

fn padding(size: u64) -> Vec<u8> {
    vec![0; ((512 - size % 512) % 512) as usize]
}

fn entry(tar: &mut Vec<u8>, path: &str, contents: &[u8]) {
    tar.extend(entry_header(path, contents.len() as u64));
    tar.extend(contents);
    tar.extend(padding(contents.len() as u64));
}

/// Raw deflate of `data` that stands alone (a full flush): such pieces concatenate.
fn deflate_piece(data: &[u8], last: bool) -> Vec<u8> {
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Full
    };
    compress.compress_vec(data, &mut out, flush).expect("deflate");
    assert_eq!(compress.total_in(), data.len() as u64);
    out
}

/// The archive: a good conversation first, then one whose first event line is `LINE` bytes of
/// valid JSON, gzip-compressed (written piece by piece: compressing 256 MiB would be slow).
fn bomb() -> (Vec<u8>, uuid::Uuid) {
    let (good, huge) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let conversation = |id: uuid::Uuid, title: &str| {
        json!({ "id": id, "title": title, "created_at": "2025-10-12T14:03:10Z" }).to_string()
    };
    let mut head = Vec::new();
    let manifest = json!({ "format": "tenantry-org-export", "version": 1 }).to_string();
    entry(&mut head, "tenantry-export/manifest.json", manifest.as_bytes());
    let org = json!({ "settings": { "llm_model": "openai/from-the-bomb" } }).to_string();
    entry(&mut head, "tenantry-export/org.json", org.as_bytes());
    entry(
        &mut head,
        &format!("tenantry-export/conversations/{good}/conversation.json"),
        conversation(good, "good").as_bytes(),
    );
    let events: String = (0..3)
        .map(|n| {
            json!({ "id": n, "timestamp": "2025-10-12T14:03:10Z", "event": { "kind": "message", "n": n } })
                .to_string()
                + "\n"
        })
        .collect();
    entry(
        &mut head,
        &format!("tenantry-export/conversations/{good}/events.jsonl"),
        events.as_bytes(),
    );
    entry(
        &mut head,
        &format!("tenantry-export/conversations/{huge}/conversation.json"),
        conversation(huge, "huge").as_bytes(),
    );
    let open = br#"{"id":0,"timestamp":"2025-10-12T14:03:10Z","event":{"kind":"message","text":""#;
    let close = b"\"}}\n";
    let size = open.len() as u64 + LINE + close.len() as u64;
    head.extend(entry_header(
        &format!("tenantry-export/conversations/{huge}/events.jsonl"),
        size,
    ));
    head.extend(open);
    let mut tail = close.to_vec();
    tail.extend(padding(size));
    tail.extend([0; 1024]);

    let mut crc = Crc::new();
    let mut gzip = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    crc.update(&head);
    gzip.extend(deflate_piece(&head, false));
    let block = vec![b'a'; CHUNK];
    let mut block_crc = Crc::new();
    block_crc.update(&block);
    let piece = deflate_piece(&block, false);
    for _ in 0..LINE / CHUNK as u64 {
        gzip.extend(&piece);
        crc.combine(&block_crc);
    }
    crc.update(&tail);
    gzip.extend(deflate_piece(&tail, true));
    gzip.extend(crc.sum().to_le_bytes());
    gzip.extend(crc.amount().to_le_bytes());
    (gzip, huge)
}

/// The peak resident memory of a running process, in bytes (`VmHWM`).
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test]
async fn an_archive_expanding_to_a_huge_event_line_is_refused_before_anything_is_imported() {
    let app = spawn_app().await;
    let user = app.register("bomb@example.com", PASSWORD).await;
    let (archive, huge) = bomb();
    assert!(archive.len() < 2 * 1024 * 1024, "{} bytes", archive.len());
    let mut expanded = 0;
    let mut reader = flate2::read::GzDecoder::new(&archive[..]);
    let mut buffer = vec![0; CHUNK];
    loop {
        match reader.read(&mut buffer).expect("a valid gzip stream") {
            0 => break,
            n => expanded += n as u64,
        }
    }
    assert!(expanded > LINE, "expands to {expanded} bytes");
    let file = tempfile::NamedTempFile::with_suffix(".tar.gz").expect("file");
    std::fs::write(file.path(), &archive).expect("write");

    let path = file.path().to_str().expect("path");
    let mut child = app
        .cli_command(&["import", "openhands", "--user", "bomb@example.com", path], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the import");
    let mut peak = 0;
    let status = loop {
        if let Some(rss) = peak_rss(child.id()) {
            peak = peak.max(rss);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    let mut text = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut text)
        .expect("stdout");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut text)
        .expect("stderr");
    eprintln!("peak RSS of the import: {} MiB", peak / (1024 * 1024));
    assert!(!status.success(), "{text}");
    assert!(
        text.contains(&format!("conversations/{huge}/events.jsonl"))
            && text.contains("line 1 is larger than 32 MiB")
            && text.contains("nothing was imported"),
        "names the entry and the limit: {text}"
    );
    assert!(
        peak > 0 && peak < 160 * 1024 * 1024,
        "memory stays far below the 256 MiB line: peak RSS {} MiB",
        peak / (1024 * 1024)
    );

    // Nothing half-written: not the good conversation before it, not the settings.
    assert!(listing(&app, &user, &user.org_id).await.is_empty());
    assert_eq!(app.query_i64("SELECT COUNT(*) FROM conversations").await, 0);
    let (_, settings) = app.api(&user.access_token).org_settings(&user.org_id).await;
    assert!(settings["llm_model"].is_null(), "{settings}");
}
