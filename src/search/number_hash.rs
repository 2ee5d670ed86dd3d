//! A quick hasher for the maps a search fills per match, keyed by numbers (digests, wordings,
//! bodies, positions): the standard SipHash was a tenth of folding 30,000 matches.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Maps keyed by numbers, hashed by [`NumberHasher`].
pub(super) type NumberMap<K, V> = HashMap<K, V, BuildHasherDefault<NumberHasher>>;

/// Mixes each number written into it with a multiply (the Fx hash's step): the table's bucket
/// and tag bits both depend on every bit of the key, small numbers included. Not for keys an
/// outsider chooses to collide: these are the index's own numbers.
#[derive(Default)]
pub(super) struct NumberHasher(u64);

const MIX: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl NumberHasher {
    fn add(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(MIX);
    }
}

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}
