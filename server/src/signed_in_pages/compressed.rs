//! Brotli for assembled pages without compressing a whole page per response.
//!
//! Browsers ask for brotli, and compressing each ~64 KB signed-in page again
//! (quality 4, in the compression layer) took the assembled pages from
//! ~9,000 to ~2,500 responses a second. So the visitor's page is cut at the
//! places a learner's page differs (each nonce, the header, the signed-in
//! user), every stretch between them is compressed once, when the page is
//! kept, and a learner's parts once, when they are cut. A response then
//! compresses only its nonce and joins the pieces: each is a brotli stream
//! made to be joined (`catable`: byte-aligned at its start, never referring
//! to bytes before itself), and joining them rewrites a few bits where two
//! meet (`brotli::concat::BroCatli`). The pieces cannot refer to each other,
//! which costs a little size; the shared ones are compressed harder than a
//! per-response compression could afford, which more than pays for it.

use brotli::concat::{BroCatli, BroCatliResult};
use brotli::enc::BrotliEncoderParams;

/// How hard a piece is compressed, and the window it declares.
#[derive(Clone, Copy)]
pub(super) struct Effort {
    quality: i32,
    window_bits: i32,
}

/// For what is compressed once and sent many times: the page's stretches
/// and a learner's parts (~10 ms for a 64 KB page). Every kept piece
/// declares the same window, 4 MB, more than any page: a joined stream may
/// not declare a larger one after its first piece.
pub(super) const KEPT: Effort = Effort {
    quality: 9,
    window_bits: 22,
};
/// For the nonce, compressed per response (a few dozen bytes). The encoder
/// sizes its buffers by the window asked for: with the kept pieces' 4 MB,
/// making and zeroing them was ~19 % of the server's CPU for a signed-in
/// catalog page. 1 KB holds a nonce (at this quality the stream declares
/// 256 KB, the least it may), and a piece may declare a smaller window than
/// the first one's.
pub(super) const PER_RESPONSE: Effort = Effort {
    quality: 1,
    window_bits: 10,
};

/// `text` as a brotli stream that can be joined to others.
pub(super) fn compress(text: &str, effort: Effort) -> Option<Vec<u8>> {
    let params = BrotliEncoderParams {
        quality: effort.quality,
        lgwin: effort.window_bits,
        catable: true,
        appendable: true,
        size_hint: text.len(),
        ..BrotliEncoderParams::default()
    };
    let mut stream = Vec::with_capacity(text.len() / 4 + 16);
    brotli::BrotliCompress(&mut text.as_bytes(), &mut stream, &params).ok()?;
    Some(stream)
}

/// One brotli stream that decodes to what `streams` decode to, one after
/// another; `None` if one was not made by [`compress`].
pub(super) fn join<'a>(streams: impl IntoIterator<Item = &'a [u8]>) -> Option<Vec<u8>> {
    let streams: Vec<&[u8]> = streams.into_iter().collect();
    // Joining only drops a few bytes where streams meet, so this is enough;
    // more is made if not.
    let mut joined = vec![0; streams.iter().map(|stream| stream.len()).sum::<usize>() + 16];
    let mut written = 0;
    let mut joiner = BroCatli::new();
    for stream in streams {
        joiner.new_brotli_file();
        let mut read = 0;
        loop {
            match joiner.stream(stream, &mut read, &mut joined, &mut written) {
                BroCatliResult::NeedsMoreInput => break,
                BroCatliResult::NeedsMoreOutput => joined.resize(joined.len() * 2, 0),
                _ => return None,
            }
        }
    }
    loop {
        match joiner.finish(&mut joined, &mut written) {
            BroCatliResult::Success => break,
            BroCatliResult::NeedsMoreOutput => joined.resize(joined.len() * 2 + 16, 0),
            _ => return None,
        }
    }
    joined.truncate(written);
    Some(joined)
}

/// Whether an `Accept-Encoding` value admits brotli (`br`, not `br;q=0`).
pub(super) fn accepts_brotli(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parameters = coding.split(';').map(str::trim);
        let name = parameters.next().unwrap_or_default();
        name.eq_ignore_ascii_case("br")
            && parameters.all(|parameter| {
                let Some((key, value)) = parameter.split_once('=') else {
                    return true;
                };
                !key.trim().eq_ignore_ascii_case("q")
                    || value.trim().parse::<f32>().is_ok_and(|q| q > 0.0)
            })
    })
}

/// What a brotli stream decodes to, as text; for tests.
#[cfg(test)]
pub(crate) fn decompress(stream: &[u8]) -> String {
    use std::io::Read;

    let mut text = String::new();
    brotli::Decompressor::new(stream, 4096)
        .read_to_string(&mut text)
        .expect("a valid brotli stream");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_pieces_decode_to_the_whole_text() {
        let pieces = [
            "<html><head><script nonce=\"",
            "aBc123",
            "\">go()</script></head><body>",
            "",
            "<main>courses, courses and more courses</main></body></html>",
        ];
        let repeated = pieces[4].repeat(2_000);
        let mut compressed: Vec<Vec<u8>> = pieces
            .iter()
            .enumerate()
            .map(|(index, piece)| {
                let effort = if index % 2 == 0 { KEPT } else { PER_RESPONSE };
                compress(piece, effort).unwrap()
            })
            .collect();
        compressed.push(compress(&repeated, KEPT).unwrap());
        let joined = join(compressed.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(decompress(&joined), pieces.concat() + &repeated);
        // Each piece was compressed, not stored: the repeats shrank.
        assert!(joined.len() < repeated.len() / 20, "{}", joined.len());
    }

    #[test]
    fn streams_not_made_to_be_joined_are_refused() {
        let plain = {
            let mut stream = Vec::new();
            let params = BrotliEncoderParams {
                quality: 5,
                ..BrotliEncoderParams::default()
            };
            brotli::BrotliCompress(
                &mut "some text, some text, some text".as_bytes(),
                &mut stream,
                &params,
            )
            .unwrap();
            stream
        };
        let joinable = compress("first", KEPT).unwrap();
        assert!(join([joinable.as_slice(), plain.as_slice()]).is_none());
    }

    #[test]
    fn brotli_is_accepted_unless_refused() {
        for accepted in [
            "br",
            "gzip, deflate, br, zstd",
            "BR;q=0.5",
            "gzip;q=1, br ; q=1",
        ] {
            assert!(accepts_brotli(accepted), "{accepted}");
        }
        for refused in [
            "",
            "gzip, deflate",
            "br;q=0",
            "br;q=0.000",
            "brotli",
            "br;q=x",
        ] {
            assert!(!accepts_brotli(refused), "{refused}");
        }
    }
}
