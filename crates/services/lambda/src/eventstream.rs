//! The `application/vnd.amazon.eventstream` framing of `InvokeWithResponseStream` responses:
//! each message is a prelude (total and header lengths, CRC32), string headers, the payload
//! and a CRC32 of everything before it.

use bytes::{BufMut, Bytes, BytesMut};

/// One event message with string headers.
pub(crate) fn message(headers: &[(&str, &str)], payload: &[u8]) -> Bytes {
    let mut encoded_headers = BytesMut::new();
    for (name, value) in headers {
        encoded_headers.put_u8(name.len() as u8);
        encoded_headers.put_slice(name.as_bytes());
        encoded_headers.put_u8(7); // string
        encoded_headers.put_u16(value.len() as u16);
        encoded_headers.put_slice(value.as_bytes());
    }
    let total = 12 + encoded_headers.len() + payload.len() + 4;
    let mut out = BytesMut::with_capacity(total);
    out.put_u32(total as u32);
    out.put_u32(encoded_headers.len() as u32);
    let prelude_crc = crc32fast::hash(&out);
    out.put_u32(prelude_crc);
    out.put_slice(&encoded_headers);
    out.put_slice(payload);
    let message_crc = crc32fast::hash(&out);
    out.put_u32(message_crc);
    out.freeze()
}

/// A `PayloadChunk` event.
pub(crate) fn payload_chunk(bytes: &[u8]) -> Bytes {
    message(
        &[
            (":event-type", "PayloadChunk"),
            (":content-type", "application/octet-stream"),
            (":message-type", "event"),
        ],
        bytes,
    )
}

/// The `InvokeComplete` event that ends the stream.
pub(crate) fn invoke_complete(document: &serde_json::Value) -> Bytes {
    message(
        &[
            (":event-type", "InvokeComplete"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        document.to_string().as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_carry_their_lengths_and_checksums() {
        let message = super::payload_chunk(b"hi");
        let total = u32::from_be_bytes(message[0..4].try_into().unwrap()) as usize;
        let headers = u32::from_be_bytes(message[4..8].try_into().unwrap()) as usize;
        assert_eq!(total, message.len());
        assert_eq!(&message[12 + headers..total - 4], b"hi");
        assert_eq!(
            crc32fast::hash(&message[..8]),
            u32::from_be_bytes(message[8..12].try_into().unwrap())
        );
        assert_eq!(
            crc32fast::hash(&message[..total - 4]),
            u32::from_be_bytes(message[total - 4..].try_into().unwrap())
        );
    }
}
