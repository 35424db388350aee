//! Port → protocol lookup: a flat table per transport, no hashing on the packet path.

/// Maps a port to the index of the protocol configured on it.
pub struct PortMap {
    slots: Box<[u8]>,
}

impl PortMap {
    /// An empty map.
    pub fn new() -> Self {
        PortMap {
            slots: vec![0u8; 65536].into_boxed_slice(),
        }
    }

    /// Assigns `port` to protocol `index` (< 255). Returns the index already there, if any.
    pub fn insert(&mut self, port: u16, index: u8) -> Option<u8> {
        let slot = self.slots.get_mut(usize::from(port))?;
        let old = *slot;
        *slot = index.saturating_add(1);
        old.checked_sub(1)
    }

    /// The protocol index configured on `port`.
    pub fn get(&self, port: u16) -> Option<u8> {
        self.slots
            .get(usize::from(port))
            .and_then(|s| s.checked_sub(1))
    }
}

impl Default for PortMap {
    fn default() -> Self {
        Self::new()
    }
}
