//! `Covers`: cover images taken in at import, served at Google's six sizes.
//!
//! - **Taking a cover in** ([`Covers::set_cover`]): the bytes must be a JPEG, PNG, GIF or WebP
//!   image of at most [`MAX_COVER_BYTES`]; it is decoded once under [`image::Limits`] (no side
//!   over [`MAX_SIDE`] pixels, at most [`MAX_DECODE_BYTES`] allocated), so a decompression bomb
//!   is refused before it can take the memory; then it is stored once by its SHA-256 in the
//!   store (shared by every node of a PostgreSQL setup).
//! - **Serving** ([`Covers::image`]): the stored image resized to the zoom level's width (never
//!   enlarged) as a JPEG, made on the first request and kept in the data directory's
//!   `cover-cache/` (derived data, per node; safe to delete). A volume without a cover gets a
//!   generated SVG cover with its title and authors, so clients never show a broken image.
//!   Network fetches of cover URLs are not made (see `colophon covers import`).

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use colophon_domain::VolumeRecord;
use colophon_store::{CoverRef, Store, StoreError};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Largest cover file accepted (bytes).
pub const MAX_COVER_BYTES: usize = 20 << 20;
/// Largest width or height of a cover, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// Most memory one decode may allocate.
pub const MAX_DECODE_BYTES: u64 = 256 << 20;

/// Why a cover could not be taken in or served.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    /// The file is not an image of an accepted kind, is damaged, or is too large.
    #[error("{0}")]
    Rejected(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Decoding or resizing failed inside (a task died, the cache could not be written).
    #[error("cover processing failed: {0}")]
    Internal(String),
}

/// One of Google's cover sizes, by its `zoom=` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zoom(u8);

impl Zoom {
    /// `zoom=N`: 5 smallThumbnail, 1 thumbnail, 2 small, 3 medium, 4 large, 6 extraLarge.
    /// Google answers other values with some size; so does Colophon (0 and 7+ as thumbnail).
    pub fn from_param(n: u32) -> Zoom {
        match n {
            1..=6 => Zoom(n as u8),
            _ => Zoom(1),
        }
    }

    /// The `zoom=` value.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Width in pixels (Google's thumbnails are 128 pixels wide).
    pub fn width(self) -> u32 {
        match self.0 {
            5 => 80,
            1 => 128,
            2 => 300,
            3 => 575,
            4 => 800,
            _ => 1280,
        }
    }
}

/// A cover image ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverImage {
    /// The bytes.
    pub bytes: Arc<Vec<u8>>,
    /// `Content-Type`.
    pub media_type: &'static str,
    /// Strong entity tag, quoted.
    pub etag: String,
    /// Whether this is the generated cover of a volume without one.
    pub generated: bool,
}

/// The cover service.
#[derive(Clone)]
pub struct Covers {
    store: Arc<dyn Store>,
    cache_dir: Option<PathBuf>,
}

impl Covers {
    /// Covers in `store`, resized variants kept in `cache_dir` (none: made on every request).
    pub fn new(store: Arc<dyn Store>, cache_dir: Option<PathBuf>) -> Self {
        Self { store, cache_dir }
    }

    /// Checks `bytes` as a cover image and makes it the cover of `record`'s volume.
    pub async fn set_cover(
        &self,
        volume: &colophon_domain::VolumeId,
        bytes: Vec<u8>,
    ) -> Result<CoverRef, CoverError> {
        let (bytes, media_type) = tokio::task::spawn_blocking(move || {
            let media_type = check_image(&bytes)?;
            Ok::<_, CoverError>((bytes, media_type))
        })
        .await
        .map_err(|e| CoverError::Internal(e.to_string()))??;
        let cover = CoverRef {
            digest: hex::encode(Sha256::digest(&bytes)),
            media_type: media_type.to_owned(),
        };
        self.store.set_cover(volume, &cover, &bytes).await?;
        Ok(cover)
    }

    /// The volume a cover file beside a catalog belongs to, by its file stem: an ISBN (10 or
    /// 13 digits, hyphens allowed: `9780141439518.jpg`) claimed by a volume, or a volume id
    /// (`kPbzR4LDkAkC.jpg`).
    pub async fn volume_for_stem(
        &self,
        stem: &str,
    ) -> Result<Option<colophon_domain::VolumeId>, CoverError> {
        if let Ok(isbn) = colophon_domain::Isbn::parse(stem) {
            let found = self
                .store
                .volumes_of_isbns(&[isbn.isbn13().to_owned()])
                .await?;
            if let Some((_, id)) = found.into_iter().next() {
                return Ok(Some(id));
            }
        }
        if let Ok(id) = colophon_domain::VolumeId::parse(stem) {
            if self.store.get_volume(&id).await?.is_some() {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// The cover of `record` at `zoom`: the stored one resized, or a generated one.
    pub async fn image(&self, record: &VolumeRecord, zoom: Zoom) -> Result<CoverImage, CoverError> {
        let Some(cover) = self.store.cover_of(&record.id).await? else {
            return Ok(placeholder(record, zoom));
        };
        let etag = format!(
            "\"{}-z{}\"",
            &cover.digest[..20.min(cover.digest.len())],
            zoom.0
        );
        let cached = self
            .cache_dir
            .as_ref()
            .map(|d| d.join(format!("{}-z{}.jpg", cover.digest, zoom.0)));
        if let Some(path) = &cached {
            if let Ok(bytes) = tokio::fs::read(path).await {
                return Ok(CoverImage {
                    bytes: Arc::new(bytes),
                    media_type: "image/jpeg",
                    etag,
                    generated: false,
                });
            }
        }
        let Some(original) = self.store.cover_bytes(&cover.digest).await? else {
            // Replaced between the two reads: serve what the volume has now.
            return Ok(placeholder(record, zoom));
        };
        let bytes = tokio::task::spawn_blocking(move || resized_jpeg(&original, zoom.width()))
            .await
            .map_err(|e| CoverError::Internal(e.to_string()))??;
        if let Some(path) = cached {
            if let Err(e) = write_atomically(&path, &bytes).await {
                tracing::warn!(path = %path.display(), error = %e, "cannot cache a resized cover");
            }
        }
        Ok(CoverImage {
            bytes: Arc::new(bytes),
            media_type: "image/jpeg",
            etag,
            generated: false,
        })
    }
}

async fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Decodes `bytes` under the limits; returns the image.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, ImageFormat), CoverError> {
    if bytes.len() > MAX_COVER_BYTES {
        return Err(CoverError::Rejected(format!(
            "cover image too large: {} bytes (at most {MAX_COVER_BYTES})",
            bytes.len()
        )));
    }
    let format = image::guess_format(bytes).map_err(|_| {
        CoverError::Rejected("not an image (JPEG, PNG, GIF or WebP expected)".into())
    })?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP
    ) {
        return Err(CoverError::Rejected(format!(
            "unsupported image format {format:?} (JPEG, PNG, GIF or WebP expected)"
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(l) => CoverError::Rejected(format!(
            "cover image refused: larger than allowed ({l}; at most {MAX_SIDE}x{MAX_SIDE} pixels)"
        )),
        other => CoverError::Rejected(format!("damaged or truncated image: {other}")),
    })?;
    Ok((image, format))
}

/// Checks that `bytes` decode as an accepted image within the limits; returns its media type.
pub fn check_image(bytes: &[u8]) -> Result<&'static str, CoverError> {
    let (_, format) = decode(bytes)?;
    Ok(match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Gif => "image/gif",
        ImageFormat::WebP => "image/webp",
        _ => "image/jpeg",
    })
}

/// The image scaled to `width` (never enlarged), flattened on white, as a JPEG.
pub fn resized_jpeg(bytes: &[u8], width: u32) -> Result<Vec<u8>, CoverError> {
    let (image, _) = decode(bytes)?;
    let image = if image.width() > width {
        let height =
            (u64::from(image.height()) * u64::from(width) / u64::from(image.width())).max(1) as u32;
        image.resize_exact(width, height, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = px.0;
        let mix = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        *out = image::Rgb([mix(r), mix(g), mix(b)]);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|e| CoverError::Internal(format!("encoding JPEG: {e}")))?;
    Ok(out)
}

/// A plain generated cover (SVG) with the title and authors, at the zoom level's width
/// (2:3). Deterministic: same volume data, same bytes and entity tag.
pub fn placeholder(record: &VolumeRecord, zoom: Zoom) -> CoverImage {
    let info = &record.volume_info;
    let title = info.title.as_deref().unwrap_or("Untitled");
    let authors = info
        .authors
        .as_ref()
        .map(|a| a.join(", "))
        .unwrap_or_default();
    let w = zoom.width();
    let h = w * 3 / 2;
    // Wrap into lines of at most ~18 characters on a 300-unit-wide view box.
    let mut lines = wrap(title, 18);
    lines.truncate(6);
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "<text x=\"150\" y=\"{}\" font-size=\"26\" font-weight=\"bold\">{}</text>",
            120 + i * 34,
            xml_escape(line)
        ));
    }
    for (i, line) in wrap(&authors, 24).iter().take(3).enumerate() {
        text.push_str(&format!(
            "<text x=\"150\" y=\"{}\" font-size=\"18\">{}</text>",
            370 + i * 24,
            xml_escape(line)
        ));
    }
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 300 450\" role=\"img\" aria-label=\"{}\">\
         <rect width=\"300\" height=\"450\" fill=\"#3c4a5c\"/>\
         <rect x=\"14\" y=\"14\" width=\"272\" height=\"422\" fill=\"none\" stroke=\"#d9c58b\" stroke-width=\"2\"/>\
         <g fill=\"#f5f1e6\" font-family=\"Georgia, serif\" text-anchor=\"middle\">{text}</g></svg>\n",
        xml_escape(&format!("{title} — {authors}"))
    );
    let digest = hex::encode(&Sha256::digest(svg.as_bytes())[..10]);
    CoverImage {
        bytes: Arc::new(svg.into_bytes()),
        media_type: "image/svg+xml",
        etag: format!("\"g{digest}\""),
        generated: true,
    }
}

fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 10, 10, 128]));
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn resizes_to_the_zoom_width_and_never_enlarges() {
        let src = png(600, 900);
        let small = resized_jpeg(&src, Zoom::from_param(1).width()).unwrap();
        let img = image::load_from_memory(&small).unwrap();
        assert_eq!((img.width(), img.height()), (128, 192));
        let big = resized_jpeg(&src, Zoom::from_param(6).width()).unwrap();
        let img = image::load_from_memory(&big).unwrap();
        assert_eq!((img.width(), img.height()), (600, 900));
        assert_eq!(check_image(&src).unwrap(), "image/png");
    }

    #[test]
    fn garbage_truncated_and_oversized_images_are_refused() {
        assert!(matches!(
            check_image(b"hello"),
            Err(CoverError::Rejected(_))
        ));
        let src = png(64, 64);
        let cut = &src[..src.len() / 2];
        let e = check_image(cut).unwrap_err().to_string();
        assert!(e.contains("damaged or truncated"), "{e}");
        let too_big = vec![0u8; MAX_COVER_BYTES + 1];
        assert!(check_image(&too_big)
            .unwrap_err()
            .to_string()
            .contains("too large"));
    }

    /// A PNG header declaring 60000x60000 pixels (a decompression bomb: 14 GB once decoded)
    /// is refused from its header, without allocating the image.
    #[test]
    fn decompression_bomb_is_refused() {
        let mut src = png(1, 1);
        // IHDR width and height are bytes 16..24; the CRC (24..28) must match.
        src[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        src[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&src[12..29]);
        src[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = check_image(&src).unwrap_err().to_string();
        assert!(e.contains("larger than allowed"), "{e}");
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn placeholder_names_title_and_author_and_escapes() {
        let record = VolumeRecord {
            id: colophon_domain::VolumeId::parse("abcdefghijkl").unwrap(),
            etag: String::new(),
            source_key: "t:1".into(),
            volume_info: colophon_types::VolumeInfo {
                title: Some("Cakes & <Ale>".into()),
                authors: Some(vec!["W. Somerset Maugham".into()]),
                ..Default::default()
            },
            sale_info: None,
            access_info: None,
            layer_info: None,
            updated: chrono::DateTime::UNIX_EPOCH,
        };
        let p = placeholder(&record, Zoom::from_param(1));
        let svg = String::from_utf8(p.bytes.to_vec()).unwrap();
        assert!(svg.contains("Cakes &amp; &lt;Ale&gt;"));
        assert!(svg.contains("W. Somerset Maugham"));
        assert!(svg.contains("width=\"128\" height=\"192\""));
        assert_eq!(p, placeholder(&record, Zoom::from_param(1)));
        assert_eq!(p.media_type, "image/svg+xml");
    }
}
