//! Request/response correlation of one connection: FIFO with pipelining, informational
//! responses skipped, early responses held until their request is complete, and protocol
//! switches (101, CONNECT) noticed.

use super::config::{HttpConfig, MAX_PENDING_REQUESTS};
use super::ecs;
use super::message::Message;
use crate::Cx;
use std::collections::VecDeque;
use std::sync::Arc;

/// The correlation state of one connection.
pub struct Pairing {
    config: Arc<HttpConfig>,
    /// Complete requests waiting for their response, oldest first.
    requests: VecDeque<Message>,
    /// Method of the request whose header block is parsed but whose body is still arriving.
    open_request: Option<String>,
    /// A final response that arrived while its request's body was still arriving.
    early: Option<Message>,
    upgraded: bool,
}

impl Pairing {
    /// Empty state.
    pub fn new(config: Arc<HttpConfig>) -> Self {
        Pairing {
            config,
            requests: VecDeque::new(),
            open_request: None,
            early: None,
            upgraded: false,
        }
    }

    /// The protocol options.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The connection switched to another protocol.
    pub fn upgraded(&self) -> bool {
        self.upgraded
    }

    /// Method of the request that the next response answers.
    pub fn next_request_method(&self) -> Option<String> {
        self.requests
            .front()
            .map(|r| r.method.clone())
            .or_else(|| self.open_request.clone())
    }

    /// A request's header block is parsed; its body may follow.
    pub fn request_started(&mut self, method: &str) {
        self.open_request = Some(method.to_string());
    }

    /// The request being received was lost (gap in its header block or end of stream).
    pub fn request_abandoned(&mut self) {
        self.open_request = None;
    }

    /// A complete message.
    pub fn complete(&mut self, msg: Message, cx: &mut Cx) {
        if msg.is_request {
            self.open_request = None;
            if let Some(resp) = self.early.take() {
                self.publish(Some(&msg), Some(&resp), cx);
                return;
            }
            if self.requests.len() >= MAX_PENDING_REQUESTS {
                cx.anomaly("too_many_pending_requests");
                if let Some(old) = self.requests.pop_front() {
                    self.publish(Some(&old), None, cx);
                }
            }
            self.requests.push_back(msg);
            return;
        }
        if (100..200).contains(&msg.code) && msg.code != 101 {
            // Informational responses (100 Continue, 103 Early Hints) precede the final
            // response of the same request.
            return;
        }
        if let Some(req) = self.requests.pop_front() {
            self.publish(Some(&req), Some(&msg), cx);
        } else if self.open_request.is_some() && self.early.is_none() {
            self.early = Some(msg);
        } else {
            cx.anomaly("unmatched_response");
            self.publish(None, Some(&msg), cx);
        }
    }

    fn publish(&mut self, req: Option<&Message>, resp: Option<&Message>, cx: &mut Cx) {
        if let (Some(req), Some(resp)) = (req, resp) {
            let tunnel = req.method == "CONNECT" && (200..300).contains(&resp.code);
            if resp.code == 101 || tunnel {
                self.upgraded = true;
            }
        }
        ecs::publish(req, resp, &self.config, cx);
    }

    /// Publishes everything still pending: early responses and unanswered requests.
    pub fn flush(&mut self, cx: &mut Cx) {
        if let Some(resp) = self.early.take() {
            cx.anomaly("unmatched_response");
            self.publish(None, Some(&resp), cx);
        }
        while let Some(req) = self.requests.pop_front() {
            cx.anomaly("unmatched_request");
            self.publish(Some(&req), None, cx);
        }
    }
}
