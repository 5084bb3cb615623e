//! A real SMTP server on loopback for the mail tests: the protocol is mailin's state machine, the
//! sockets are ours. It keeps every message it accepted, and can hold one message without
//! replying until the client dies, discarding it then, as a mail server does with a message
//! whose sender vanished before the final reply.

use std::{
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    sync::{Arc, Condvar, Mutex},
    time::{Duration, Instant},
};

use mailin::{response, Action, Handler, Response, SessionBuilder};

#[derive(Clone, Debug)]
pub struct Received {
    #[allow(dead_code)]
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    /// From MAIL to the server's acceptance.
    pub took: Duration,
}

#[derive(Default)]
struct Shared {
    accepted: Vec<Received>,
    /// Hold the message that would be accepted as number `n` (1-based).
    hold_number: Option<usize>,
    /// A held message's connection is open: its client is still waiting for the reply.
    holding: bool,
    /// Refuse every message (451 to MAIL) while set.
    refusing: bool,
    /// How long each message waits before its final reply, like a slow server.
    delay: Duration,
    /// How long every reply to MAIL, RCPT and DATA waits, like a server slow at each step.
    command_delay: Duration,
    /// Messages between MAIL and the final reply (or the client going away).
    in_flight: usize,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    pub addr: Option<SocketAddr>,
}

/// A free loopback port: bound, then released, so a server can start on it later.
pub fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn start_on(addr: SocketAddr) -> SmtpSink {
        let listener = TcpListener::bind(addr).expect("bind the SMTP sink");
        let sink = SmtpSink { shared: Default::default(), addr: Some(listener.local_addr().unwrap()) };
        let shared = sink.shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, shared));
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr.unwrap())
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.shared.0.lock().unwrap().accepted.clone()
    }

    pub fn hold_message_number(&self, n: usize) {
        self.shared.0.lock().unwrap().hold_number = Some(n);
    }

    pub fn refuse(&self, on: bool) {
        self.shared.0.lock().unwrap().refusing = on;
    }

    /// Each message waits this long before the server accepts it.
    pub fn slow(&self, per_message: Duration) {
        self.shared.0.lock().unwrap().delay = per_message;
    }

    /// Every reply to MAIL, RCPT, DATA and the final dot waits this long.
    pub fn slow_commands(&self, each: Duration) {
        let mut s = self.shared.0.lock().unwrap();
        s.command_delay = each;
        s.delay = each;
    }

    pub fn wait_until_in_flight(&self, timeout: Duration) {
        self.wait(timeout, "a message in flight", |s| s.in_flight > 0);
    }

    /// Waits until no message is between MAIL and its final reply: nothing is being sent.
    pub fn wait_until_idle(&self, timeout: Duration) {
        self.wait(timeout, "no message in flight", |s| s.in_flight == 0);
    }

    /// Waits until `f` holds for the shared state, or panics after `timeout`.
    fn wait(&self, timeout: Duration, what: &str, f: impl Fn(&Shared) -> bool) {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        while !f(&s) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}; accepted {}", s.accepted.len());
            s = cv.wait_timeout(s, left).unwrap().0;
        }
    }

    pub fn wait_for_accepted(&self, n: usize, timeout: Duration) {
        self.wait(timeout, &format!("{n} messages"), |s| s.accepted.len() >= n);
    }

    pub fn wait_until_holding(&self, timeout: Duration) {
        self.wait(timeout, "the held message", |s| s.holding);
    }

    /// Whether a held message's client is still connected, waiting for its reply.
    pub fn is_holding(&self) -> bool {
        self.shared.0.lock().unwrap().holding
    }

    /// How many accepted messages carry this Message-ID.
    pub fn count_message_id(&self, id: &str) -> usize {
        self.accepted().iter().filter(|m| message_id(&m.data).as_deref() == Some(id)).count()
    }
}

pub fn message_id(data: &[u8]) -> Option<String> {
    mail_parser::MessageParser::default().parse(data)?.message_id().map(|s| format!("<{s}>"))
}

struct Collect {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    /// When the message in progress began (MAIL).
    mail_at: Option<Instant>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

thread_local! {
    /// Set by the handler, on the connection's own thread, when it holds the message it just read.
    static HOLDING_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set between MAIL and the final reply, on the connection's own thread (one message at a
    /// time per connection).
    static IN_FLIGHT_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl Collect {
    /// A slow server: the command's reply waits (each connection has a thread of its own).
    fn pause(&self) {
        let wait = self.shared.0.lock().unwrap().command_delay;
        std::thread::sleep(wait);
    }
}

impl Handler for Collect {
    // Refused at MAIL: mailin stays in its data state after an error at the end of data.
    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, _from: &str) -> Response {
        self.mail_at = Some(Instant::now());
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        if s.refusing {
            return response::INTERNAL_ERROR;
        }
        s.in_flight += 1;
        IN_FLIGHT_HERE.with(|f| f.set(true));
        cv.notify_all();
        drop(s);
        self.pause();
        response::OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        self.pause();
        response::OK
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.pause();
        self.from = from.to_string();
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let (lock, cv) = &*self.shared;
        let delay = lock.lock().unwrap().delay;
        std::thread::sleep(delay); // a slow server, each connection on its own thread
        let took = self.mail_at.take().map(|t| t.elapsed()).unwrap_or_default();
        let msg = Received { from: self.from.clone(), to: self.to.clone(), data: std::mem::take(&mut self.data), took };
        let mut s = lock.lock().unwrap();
        if s.hold_number == Some(s.accepted.len() + 1) {
            s.hold_number = None;
            s.holding = true;
            HOLDING_HERE.with(|h| h.set(true));
            drop(msg);
            cv.notify_all();
            return response::OK; // never written: the connection loop sees `held`
        }
        s.accepted.push(msg);
        if IN_FLIGHT_HERE.with(|f| f.replace(false)) {
            s.in_flight -= 1;
        }
        cv.notify_all();
        response::OK
    }
}

/// Counts `in_flight` down for a connection that ends while its message was in flight; the
/// handler counts it down itself at the final reply.
struct Gone(Arc<(Mutex<Shared>, Condvar)>);

impl Drop for Gone {
    fn drop(&mut self) {
        let (lock, cv) = &*self.0;
        if IN_FLIGHT_HERE.with(|f| f.replace(false)) {
            lock.lock().unwrap().in_flight -= 1;
            cv.notify_all();
        }
        if HOLDING_HERE.with(|h| h.replace(false)) {
            lock.lock().unwrap().holding = false;
            cv.notify_all();
        }
    }
}

fn serve(stream: TcpStream, shared: Arc<(Mutex<Shared>, Condvar)>) {
    let peer = stream.peer_addr().map(|a| a.ip()).unwrap_or([127, 0, 0, 1].into());
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let handler = Collect { shared: shared.clone(), mail_at: None, from: String::new(), to: vec![], data: vec![] };
    let mut session = SessionBuilder::new("oversee-test-sink").build(peer, handler);
    // A client that goes away between MAIL and the final reply takes its message with it.
    let _gone = Gone(shared);
    let _ = session.greeting().write_to(&mut writer);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let res = session.process(&line);
        if HOLDING_HERE.with(|h| h.get()) {
            // Wait, without replying, for the client to go away; the message is then dropped.
            let mut rest = Vec::new();
            while matches!(reader.read_until(b'\n', &mut rest), Ok(n) if n > 0) {
                rest.clear();
            }
            return;
        }
        match res.action {
            Action::NoReply => {}
            Action::Close => {
                let _ = res.write_to(&mut writer);
                return;
            }
            _ => {
                if res.write_to(&mut writer).is_err() {
                    return;
                }
            }
        }
        let _ = writer.flush();
    }
}
