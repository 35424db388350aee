//! A request's command: `method` (upper-cased, two words for container commands such as
//! `CONFIG GET`), `resource` (the first argument after it) and `query` (every element joined
//! by a space, as sent), with credentials never kept.

/// Commands whose first argument is a sub-command (`CONFIG GET`, `CLIENT LIST`, ...).
const CONTAINERS: &[&str] = &[
    "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY", "MEMORY",
    "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO",
];

/// What replaces a credential.
pub const REDACTED: &str = "(redacted)";

/// A request, described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// Upper-cased command name (one or two words).
    pub method: String,
    /// The first argument after the command, if any (never a credential).
    pub resource: Option<String>,
    /// Every element joined by a space, credentials replaced.
    pub query: String,
}

/// Which argument positions (0 = the command word) hold credentials.
fn secret_positions(elements: &[String]) -> Vec<usize> {
    let upper: Vec<String> = elements.iter().map(|e| e.to_ascii_uppercase()).collect();
    let mut secret = Vec::new();
    match upper.first().map(String::as_str) {
        // AUTH password | AUTH user password
        Some("AUTH") => secret.extend(1..elements.len()),
        // HELLO 3 AUTH user password [SETNAME name]
        Some("HELLO") => {
            if let Some(i) = upper.iter().position(|e| e == "AUTH") {
                secret.extend([i + 1, i + 2]);
            }
        }
        // MIGRATE ... AUTH password | AUTH2 user password
        Some("MIGRATE") => {
            for (i, e) in upper.iter().enumerate() {
                match e.as_str() {
                    "AUTH" => secret.push(i + 1),
                    "AUTH2" => secret.extend([i + 1, i + 2]),
                    _ => {}
                }
            }
        }
        // CONFIG SET requirepass|masterauth value
        Some("CONFIG") => {
            for (i, e) in upper.iter().enumerate().skip(2) {
                if e == "REQUIREPASS" || e == "MASTERAUTH" {
                    secret.push(i + 1);
                }
            }
        }
        _ => {}
    }
    secret
}

/// Describes a request from its top-level elements.
pub fn describe(elements: &[String]) -> Command {
    let secret = secret_positions(elements);
    let shown: Vec<&str> = elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if secret.contains(&i) {
                REDACTED
            } else {
                e.as_str()
            }
        })
        .collect();
    let first = shown
        .first()
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_default();
    let words = if CONTAINERS.contains(&first.as_str()) && shown.len() > 1 {
        2
    } else {
        1
    };
    let method = shown
        .iter()
        .take(words)
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(" ");
    let resource = shown
        .get(words)
        .filter(|r| **r != REDACTED)
        .map(|r| (*r).to_string());
    Command {
        method,
        resource,
        query: shown.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(words: &[&str]) -> Command {
        describe(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn method_resource_query() {
        let c = d(&["set", "key3", "me"]);
        assert_eq!(
            (c.method.as_str(), c.resource.as_deref(), c.query.as_str()),
            ("SET", Some("key3"), "set key3 me")
        );
        let c = d(&["config", "get", "maxmemory"]);
        assert_eq!(
            (c.method.as_str(), c.resource.as_deref()),
            ("CONFIG GET", Some("maxmemory"))
        );
        assert_eq!(d(&["PING"]).resource, None);
    }

    #[test]
    fn credentials_never_appear() {
        let c = d(&["AUTH", "alice", "s3cret"]);
        assert_eq!(c.query, "AUTH (redacted) (redacted)");
        assert_eq!(c.resource, None);
        assert!(!d(&["HELLO", "3", "AUTH", "bob", "pw", "SETNAME", "x"])
            .query
            .contains("pw"));
        assert!(
            !d(&["MIGRATE", "h", "1", "k", "0", "5", "AUTH2", "u", "pw"])
                .query
                .contains("pw")
        );
        assert!(!d(&["CONFIG", "SET", "requirepass", "pw"])
            .query
            .contains("pw"));
    }
}
