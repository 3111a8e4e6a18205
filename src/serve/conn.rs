//! The dev server's connections, all on one thread with `mio` (epoll,
//! kqueue or IOCP): accepting, reading request heads, writing answers and
//! keeping the event-stream clients. A slow or silent client costs a
//! socket, never a thread: the workers only turn a request that has fully
//! arrived into its answer (reading files), so clients that trickle their
//! heads (slowloris) or never read their answers cannot stall the preview.
//!
//! Limits: a head must arrive whole within [`HEAD_DEADLINE`] (counted from
//! the connection, not from the last byte); an answer the client stops
//! reading for [`SEND_IDLE`] is dropped; one client address may have
//! [`WAITING_PER_CLIENT`] connections waiting on it (a head still arriving,
//! an answer it has not read from for a second) and the server
//! [`MAX_CONNECTIONS`] connections: beyond either, the oldest waiting
//! connection is closed (a browser sends its head at once and reads its
//! answer, so the oldest are the slowest); at most [`MAX_EVENT_CLIENTS`]
//! event streams, and new ones beyond are refused (503), so an open tab is
//! never pushed off. Large files are sent a chunk at a time.

use std::io::{ErrorKind, Read, Write};
use std::net::IpAddr;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Interest, Poll, Token, Waker};

use super::http::{self, Answer, Request, Shared};

/// Worker threads answering requests (they never wait for a client).
const WORKERS: usize = 8;
/// The whole request head must arrive within this.
pub(crate) const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// Connections one client address may have waiting on it.
pub(crate) const WAITING_PER_CLIENT: usize = 128;
/// An answer not read from for this long is waiting on its client.
const STALLED: Duration = Duration::from_secs(1);
/// Bytes of a large file read at a time.
const CHUNK: usize = 64 * 1024;
/// Connections open at once, event streams included (well below the usual
/// limit of 1,024 open files, so a rebuild always has files to spare).
pub(crate) const MAX_CONNECTIONS: usize = 512;
/// An answer is dropped when its client has read nothing for this long.
pub(crate) const SEND_IDLE: Duration = Duration::from_secs(10);
/// Event-stream clients (browser tabs) served at once.
pub(crate) const MAX_EVENT_CLIENTS: usize = 64;
/// Bytes waiting for an event-stream client that reads nothing, beyond
/// which it is dropped.
const EVENT_BACKLOG: usize = 1 << 20;
/// Messages kept for the event streams while the connection thread is busy.
const QUEUED_MESSAGES: usize = 64;
/// How often the event streams get a comment line (keeps proxies open).
const PING: Duration = Duration::from_secs(15);
/// How often deadlines are checked.
const TICK: Duration = Duration::from_millis(250);

const LISTENER: Token = Token(usize::MAX - 1);
const WAKER: Token = Token(usize::MAX - 2);

/// Messages for the event-stream clients, queued by the rebuild loop and
/// written by the connection thread.
#[derive(Default)]
pub struct Events {
    queue: Mutex<Vec<Vec<u8>>>,
    waker: OnceLock<Arc<Waker>>,
}

impl Events {
    /// Sends `data` (one line of JSON) to every event-stream client.
    pub fn send(&self, data: &str) {
        {
            let mut queue = lock(&self.queue);
            if queue.len() >= QUEUED_MESSAGES {
                queue.remove(0);
            }
            queue.push(format!("data: {data}\n\n").into_bytes());
        }
        if let Some(waker) = self.waker.get() {
            let _ = waker.wake();
        }
    }

    fn take(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *lock(&self.queue))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts the connection thread and the workers.
pub(crate) fn start(listener: std::net::TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let _ = shared.events.waker.set(Arc::clone(&waker));
    let (jobs, job_rx) = channel::<(Token, Request)>();
    let (done_tx, done) = channel::<(Token, Answer)>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    for _ in 0..WORKERS {
        let (job_rx, done_tx) = (Arc::clone(&job_rx), done_tx.clone());
        let (waker, shared) = (Arc::clone(&waker), Arc::clone(&shared));
        std::thread::spawn(move || worker(&job_rx, &done_tx, &waker, &shared));
    }
    let mut server = Server {
        poll,
        listener,
        conns: Vec::new(),
        free: Vec::new(),
        live: 0,
        event_clients: 0,
        jobs,
        done,
        shared,
        retry_accept: false,
    };
    std::thread::spawn(move || server.run());
    Ok(())
}

fn worker(
    jobs: &Mutex<Receiver<(Token, Request)>>,
    done: &Sender<(Token, Answer)>,
    waker: &Waker,
    shared: &Shared,
) {
    loop {
        let next = lock(jobs).recv();
        let Ok((token, req)) = next else { return };
        let answer = http::respond(&req, shared).into_answer(req.head_only);
        if done.send((token, answer)).is_err() {
            return;
        }
        let _ = waker.wake();
    }
}

/// One client connection.
struct Conn {
    stream: TcpStream,
    client: IpAddr,
    opened: Instant,
    state: State,
}

enum State {
    /// Reading the request head (bytes so far).
    Head(Vec<u8>),
    /// A worker is answering.
    Busy,
    /// Writing the answer, then closing.
    Send(Outgoing),
    /// An event stream: bytes not yet written.
    Events(Vec<u8>),
}

impl Conn {
    /// True while the connection waits on its client: a head still
    /// arriving, or an answer it has not read from for [`STALLED`].
    fn waits_on_client(&self, now: Instant) -> bool {
        match &self.state {
            State::Head(_) => true,
            State::Send(out) => now.duration_since(out.progress) >= STALLED,
            State::Busy | State::Events(_) => false,
        }
    }
}

/// An answer being written.
struct Outgoing {
    bytes: Vec<u8>,
    sent: usize,
    /// The rest of a large file, and how much of it is left.
    file: Option<(std::fs::File, u64)>,
    progress: Instant,
}

impl Outgoing {
    /// Writes what the socket takes now; true once the whole answer is sent.
    fn pump(&mut self, stream: &mut TcpStream) -> std::io::Result<bool> {
        loop {
            if self.sent == self.bytes.len() && !self.refill()? {
                return Ok(true);
            }
            let n = write_some(stream, &self.bytes[self.sent..])?;
            if n > 0 {
                self.sent += n;
                self.progress = Instant::now();
            }
            if self.sent < self.bytes.len() {
                return Ok(false);
            }
        }
    }

    /// Reads the file's next chunk; false when none is left. A file that
    /// became shorter than announced is an error (the client is told by
    /// the connection closing early).
    fn refill(&mut self) -> std::io::Result<bool> {
        let Some((file, left)) = &mut self.file else {
            return Ok(false);
        };
        if *left == 0 {
            return Ok(false);
        }
        let n = usize::try_from(*left).map_or(CHUNK, |l| l.min(CHUNK));
        self.bytes.resize(n, 0);
        file.read_exact(&mut self.bytes)?;
        *left -= n as u64;
        self.sent = 0;
        Ok(true)
    }
}

struct Server {
    poll: Poll,
    listener: TcpListener,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    live: usize,
    event_clients: usize,
    jobs: Sender<(Token, Request)>,
    done: Receiver<(Token, Answer)>,
    shared: Arc<Shared>,
    retry_accept: bool,
}

impl Server {
    fn run(&mut self) {
        let mut ready = mio::Events::with_capacity(1024);
        let (mut last_tick, mut last_ping) = (Instant::now(), Instant::now());
        loop {
            let wait = if self.retry_accept {
                Duration::from_millis(10)
            } else {
                TICK
            };
            if let Err(e) = self.poll.poll(&mut ready, Some(wait))
                && e.kind() != ErrorKind::Interrupted
            {
                std::thread::sleep(TICK);
                continue;
            }
            for event in &ready {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKER => {}
                    token => self.ready(token, event.is_readable(), event.is_writable()),
                }
            }
            if std::mem::take(&mut self.retry_accept) {
                self.accept();
            }
            while let Ok((token, answer)) = self.done.try_recv() {
                self.answer(token, answer);
            }
            for message in self.shared.events.take() {
                self.broadcast(&message);
            }
            if last_tick.elapsed() >= TICK {
                last_tick = Instant::now();
                self.expire(last_tick);
            }
            if last_ping.elapsed() >= PING {
                last_ping = Instant::now();
                self.broadcast(b": ping\n\n");
            }
        }
    }

    fn conn(&mut self, token: Token) -> Option<&mut Conn> {
        self.conns.get_mut(token.0).and_then(Option::as_mut)
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, addr)) => self.admit(stream, addr.ip()),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
                Err(_) => {
                    // Out of file descriptors, most likely: make room and
                    // try again soon (the listener will not signal again).
                    self.evict_oldest_waiting(None);
                    self.retry_accept = true;
                    return;
                }
            }
        }
    }

    /// Takes a new connection in, first closing the oldest connection
    /// waiting on its client when the server or this client is at its limit.
    fn admit(&mut self, mut stream: TcpStream, client: IpAddr) {
        if self.live >= MAX_CONNECTIONS && !self.evict_oldest_waiting(None) {
            return;
        }
        if self.live >= WAITING_PER_CLIENT && self.waiting_on(client) >= WAITING_PER_CLIENT {
            self.evict_oldest_waiting(Some(client));
        }
        let index = self.free.pop().unwrap_or(self.conns.len());
        let token = Token(index);
        if self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE)
            .is_err()
        {
            self.free.push(index);
            return;
        }
        let conn = Conn {
            stream,
            client,
            opened: Instant::now(),
            state: State::Head(Vec::new()),
        };
        if index == self.conns.len() {
            self.conns.push(Some(conn));
        } else {
            self.conns[index] = Some(conn);
        }
        self.live += 1;
        // The head has often arrived already.
        self.read_head(token);
    }

    /// Connections waiting on `client`.
    fn waiting_on(&self, client: IpAddr) -> usize {
        let now = Instant::now();
        self.conns
            .iter()
            .flatten()
            .filter(|c| c.client == client && c.waits_on_client(now))
            .count()
    }

    /// Closes the oldest connection waiting on its client (on `client`
    /// only, if given); false when there is none.
    fn evict_oldest_waiting(&mut self, client: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let oldest = self
            .conns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
            .filter(|(_, c)| c.waits_on_client(now))
            .filter(|(_, c)| client.is_none_or(|ip| c.client == ip))
            .min_by_key(|(_, c)| c.opened)
            .map(|(i, _)| Token(i));
        oldest.map(|token| self.close(token)).is_some()
    }

    fn close(&mut self, token: Token) {
        let Some(mut conn) = self.conns.get_mut(token.0).and_then(Option::take) else {
            return;
        };
        let _ = self.poll.registry().deregister(&mut conn.stream);
        if matches!(conn.state, State::Events(_)) {
            self.event_clients -= 1;
        }
        self.live -= 1;
        self.free.push(token.0);
    }

    fn ready(&mut self, token: Token, readable: bool, writable: bool) {
        let Some(conn) = self.conn(token) else { return };
        match conn.state {
            State::Head(_) => self.read_head(token),
            State::Busy => {}
            State::Send(_) => self.send(token),
            State::Events(_) => {
                if readable && drain(&mut conn.stream) {
                    self.close(token);
                } else if writable {
                    self.send(token);
                }
            }
        }
    }

    fn read_head(&mut self, token: Token) {
        let Some(conn) = self.conns.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        let State::Head(buf) = &mut conn.state else {
            return;
        };
        let mut chunk = [0u8; 4096];
        let mut ended = false;
        while buf.len() <= http::MAX_HEAD {
            match conn.stream.read(&mut chunk) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    ended = true;
                    break;
                }
            }
        }
        match http::head_end(buf) {
            Some(end) if end <= http::MAX_HEAD => {
                let parsed = http::parse(&buf[..end], &self.shared.hosts);
                self.route(token, parsed);
            }
            _ if buf.len() > http::MAX_HEAD => {
                self.answer(token, http::head_too_long().into_answer(false));
            }
            _ if ended => self.close(token),
            _ => {}
        }
    }

    fn route(&mut self, token: Token, parsed: Result<Request, http::Response>) {
        match parsed {
            Err(refusal) => self.answer(token, refusal.into_answer(false)),
            Ok(req) if req.is_events() => self.open_events(token),
            Ok(req) => {
                if let Some(conn) = self.conn(token) {
                    conn.state = State::Busy;
                }
                if self.jobs.send((token, req)).is_err() {
                    self.close(token);
                }
            }
        }
    }

    fn open_events(&mut self, token: Token) {
        if self.event_clients >= MAX_EVENT_CLIENTS {
            let refusal = http::Response::too_many_events().into_answer(false);
            self.answer(token, refusal);
            return;
        }
        let Some(conn) = self.conns.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        conn.state = State::Events(http::EVENTS_OPEN.to_vec());
        let interest = Interest::READABLE | Interest::WRITABLE;
        if self
            .poll
            .registry()
            .reregister(&mut conn.stream, token, interest)
            .is_err()
        {
            conn.state = State::Busy;
            self.close(token);
            return;
        }
        self.event_clients += 1;
        self.send(token);
    }

    /// Starts writing the answer; the connection closes once it is sent.
    fn answer(&mut self, token: Token, answer: Answer) {
        let Some(conn) = self.conns.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        if !matches!(conn.state, State::Head(_) | State::Busy) {
            return;
        }
        conn.state = State::Send(Outgoing {
            bytes: answer.bytes,
            sent: 0,
            file: answer.file,
            progress: Instant::now(),
        });
        if self
            .poll
            .registry()
            .reregister(&mut conn.stream, token, Interest::WRITABLE)
            .is_err()
        {
            self.close(token);
            return;
        }
        self.send(token);
    }

    /// Writes what the connection has pending; closes it once its answer
    /// is sent, or on an error.
    fn send(&mut self, token: Token) {
        let Some(conn) = self.conn(token) else { return };
        let outcome = match &mut conn.state {
            State::Send(out) => out.pump(&mut conn.stream),
            State::Events(pending) => write_some(&mut conn.stream, pending).map(|n| {
                pending.drain(..n);
                false
            }),
            State::Head(_) | State::Busy => Ok(false),
        };
        match outcome {
            Ok(true) => {
                let _ = conn.stream.shutdown(std::net::Shutdown::Write);
                self.close(token);
            }
            Ok(false) => {}
            Err(_) => self.close(token),
        }
    }

    /// Queues a message for every event stream; drops the ones too far behind.
    fn broadcast(&mut self, message: &[u8]) {
        for index in 0..self.conns.len() {
            let Some(Conn {
                state: State::Events(pending),
                ..
            }) = self.conns[index].as_mut()
            else {
                continue;
            };
            pending.extend_from_slice(message);
            if pending.len() > EVENT_BACKLOG {
                self.close(Token(index));
            } else {
                self.send(Token(index));
            }
        }
    }

    /// Closes heads past their deadline and answers their clients stopped reading.
    fn expire(&mut self, now: Instant) {
        for index in 0..self.conns.len() {
            let Some(conn) = &self.conns[index] else {
                continue;
            };
            let late = match &conn.state {
                State::Head(_) => now.duration_since(conn.opened) > HEAD_DEADLINE,
                State::Send(out) => now.duration_since(out.progress) > SEND_IDLE,
                State::Busy | State::Events(_) => false,
            };
            if late {
                self.close(Token(index));
            }
        }
    }
}

/// Writes as much of `bytes` as the socket takes now (0 when it takes none).
fn write_some(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<usize> {
    let mut written = 0;
    while written < bytes.len() {
        match stream.write(&bytes[written..]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => written += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(written)
}

/// Reads and drops what an event-stream client sent; true once it is gone.
fn drain(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}
