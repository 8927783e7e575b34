//! An open-loop load generator: requests are sent at a fixed rate whatever the server does
//! (scheduled at `start + i / rate`), over keep-alive HTTP/1.1 connections, and each latency
//! is measured from the request's *scheduled* time, so a server that falls behind is charged
//! for the queueing it causes (no coordinated omission). Latency percentiles are exact (every
//! sample kept). tokio timers tick at 1 ms, so at high rates requests leave in small bursts.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// What one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Offered rate, requests per second.
    pub rate: f64,
    /// Scheduled duration, seconds.
    pub seconds: f64,
    /// Requests scheduled.
    pub sent: usize,
    /// Requests answered 200.
    pub ok: usize,
    /// Non-200 answers, I/O errors and requests left unanswered at the deadline.
    pub errors: usize,
    /// Answered requests per second of wall time.
    pub achieved_rps: f64,
    /// Latency percentiles from the scheduled send time, microseconds.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest.
    pub max_us: u64,
}

/// One HTTP/1.1 exchange on a keep-alive connection; returns the status.
async fn exchange(r: &mut BufReader<TcpStream>, req: &[u8]) -> Result<u16> {
    r.get_mut().write_all(req).await?;
    let mut line = String::new();
    r.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            bail!("connection closed in headers");
        }
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            } else if k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked") {
                chunked = true;
            }
        }
    }
    let mut sink = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).await?;
            let n = usize::from_str_radix(line.trim(), 16).context("bad chunk size")?;
            sink.resize(n + 2, 0);
            r.read_exact(&mut sink).await?;
            if n == 0 {
                break;
            }
        }
    } else {
        sink.resize(length.unwrap_or(0), 0);
        r.read_exact(&mut sink).await?;
    }
    Ok(status)
}

/// Sends `rate × seconds` requests for `paths` (in turn) to `addr` over `connections`
/// connections; stops at the schedule's end plus `grace`.
pub async fn run(
    addr: SocketAddr,
    paths: Vec<String>,
    rate: f64,
    seconds: f64,
    connections: usize,
    grace: Duration,
) -> Result<Report> {
    if paths.is_empty() || rate <= 0.0 || connections == 0 {
        bail!("need paths, a positive rate and connections");
    }
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        paths
            .iter()
            .map(|p| format!("GET {p} HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes())
            .collect(),
    );
    let n = (rate * seconds).round() as usize;
    let (tx, rx) = mpsc::channel::<(usize, Instant)>(n.max(1));
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let lat = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let errors = Arc::new(Mutex::new(0usize));
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (rx, lat, errors, requests) =
            (rx.clone(), lat.clone(), errors.clone(), requests.clone());
        let mut conn = BufReader::new(TcpStream::connect(addr).await?);
        conn.get_mut().set_nodelay(true)?;
        workers.push(tokio::spawn(async move {
            loop {
                let next = rx.lock().await.recv().await;
                let Some((i, due)) = next else { break };
                match exchange(&mut conn, &requests[i % requests.len()]).await {
                    Ok(200) => lat
                        .lock()
                        .expect("latency lock")
                        .push(due.elapsed().as_micros() as u64),
                    Ok(_) => *errors.lock().expect("error lock") += 1,
                    Err(_) => {
                        *errors.lock().expect("error lock") += 1;
                        match TcpStream::connect(addr).await {
                            Ok(s) => conn = BufReader::new(s),
                            Err(_) => break,
                        }
                    }
                }
            }
        }));
    }
    let t0 = Instant::now();
    let step = Duration::from_secs_f64(1.0 / rate);
    for i in 0..n {
        let due = t0 + step * i as u32;
        tokio::time::sleep_until(due.into()).await;
        if tx.send((i, due)).await.is_err() {
            break;
        }
    }
    drop(tx);
    let deadline = tokio::time::Instant::from_std(t0 + Duration::from_secs_f64(seconds) + grace);
    for w in workers {
        if tokio::time::timeout_at(deadline, w).await.is_err() {
            break;
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let mut lat = lat.lock().expect("latency lock").clone();
    lat.sort_unstable();
    let pct = |p: f64| -> u64 {
        if lat.is_empty() {
            return 0;
        }
        lat[((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1]
    };
    let ok = lat.len();
    Ok(Report {
        rate,
        seconds,
        sent: n,
        ok,
        errors: n - ok,
        achieved_rps: ok as f64 / elapsed,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        p999_us: pct(0.999),
        max_us: lat.last().copied().unwrap_or(0),
    })
}
