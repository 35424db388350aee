//! Configuration errors.

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed.
    #[error("{path}:{line}:{column}: invalid YAML: {message}")]
    Yaml {
        /// The file (or `-E` for an override).
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A key that no version of the schema knows.
    #[error("unknown configuration key '{key}'{}", suggestion_text(.suggestion))]
    UnknownKey {
        /// The full dotted key.
        key: String,
        /// The nearest known key, when one is close.
        suggestion: Option<String>,
    },
    /// A known key with a value of the wrong kind or out of range.
    #[error("{key}: {message}")]
    Invalid {
        /// The full dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A `-E` argument that is not `key=value`.
    #[error("invalid -E override '{0}': expected key=value")]
    Override(String),
    /// `${VAR}` without a default, and the variable is not set.
    #[error(
        "{key}: environment variable '{var}' is not set (use ${{{var}:default}} for a default)"
    )]
    MissingVariable {
        /// Where the reference is.
        key: String,
        /// The variable.
        var: String,
    },
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default()
}

impl ConfigError {
    /// Shorthand for [`ConfigError::Invalid`].
    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }
}
