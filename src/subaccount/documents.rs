//! The trader's identity documents: power of attorney, government ID, proof of address.
//!
//! Tradovate takes each document as JSON with a data URI (`data:<mime>;base64,<content>`,
//! reference 6.2). A [`DocumentFile`] can only be built through [`DocumentFile::from_bytes`],
//! so every value of the type has already passed the checks Tradovate would apply and a few it
//! would not (a reviewer who cannot open the file denies the request days later):
//!
//! - the type is read from the *content* (magic bytes), never trusted from the extension, and
//!   the extension must agree with it;
//! - only PDF, PNG, JPEG and plain text. The API accepts any `image/*`, but GIF, HEIC, WebP,
//!   TIFF and friends often do not open in a reviewer's browser or PDF viewer, so we ask for a
//!   conversion now rather than risk a denial later;
//! - the encoded upload must fit the 5 MB request body ([`MAX_FILE_BYTES`]);
//! - the file name is 5 to 64 characters ([`suggested_file_name`] offers a fix).

use crate::api::wire::{DocumentType, SubmitCustomerApplicationDocument, SubmitPartnerSubaccountDocument};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::fmt;
use std::io::Cursor;

use super::text::{Length, check_length};

/// Tradovate's request-body limit, read as 5,000,000 bytes: the server may mean 5 MiB, but the
/// decimal reading is the smaller one, so it is safe under both.
pub const MAX_BODY_BYTES: usize = 5_000_000;
/// Tradovate's limit on the `base64data` field (reference 6.2). Looser than the body limit.
pub const MAX_DATA_URI_CHARS: usize = 8_388_608;
/// Room for everything in the upload body except the data URI. Worst case, the customer
/// application variant: `{"process":"SubAccountRequest","documentType":"AddressVerificationFAFTA",
/// "base64data":"","filename":"<64 chars, up to 6 bytes each when JSON-escaped>",
/// "userId":-9223372036854775808}` is about 520 bytes; 1 KiB leaves a margin.
pub const UPLOAD_JSON_RESERVE: usize = 1024;
/// The longest data-URI prefix we ever write.
const LONGEST_DATA_URI_PREFIX: usize = "data:application/pdf;base64,".len();
/// The largest file whose upload fits: 3,749,211 bytes (about 3.7 MB, 3.58 MiB).
/// Base64 turns every 3 bytes into 4 characters.
pub const MAX_FILE_BYTES: usize = {
    let body_room = MAX_BODY_BYTES - UPLOAD_JSON_RESERVE;
    let uri_room = if body_room < MAX_DATA_URI_CHARS { body_room } else { MAX_DATA_URI_CHARS };
    (uri_room - LONGEST_DATA_URI_PREFIX) / 4 * 3
};
/// Tradovate's file-name limits (reference 6.2).
pub const MIN_FILE_NAME_CHARS: usize = 5;
pub const MAX_FILE_NAME_CHARS: usize = 64;
/// The `process` of a pre-upload made for a subaccount request (reference 6.3).
pub const SUBACCOUNT_REQUEST_PROCESS: &str = "SubAccountRequest";

/// The kinds of file we accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Pdf,
    Png,
    Jpeg,
    PlainText,
}

impl DocumentKind {
    pub fn mime(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::PlainText => "text/plain",
        }
    }

    /// The extension we suggest when a name needs fixing.
    pub fn extension(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Png => "png",
            DocumentKind::Jpeg => "jpg",
            DocumentKind::PlainText => "txt",
        }
    }

    /// Extensions that agree with the content (compared without letter case).
    fn accepts_extension(self, extension: &str) -> bool {
        let extension = extension.to_ascii_lowercase();
        match self {
            DocumentKind::Pdf => extension == "pdf",
            DocumentKind::Png => extension == "png",
            DocumentKind::Jpeg => matches!(extension.as_str(), "jpg" | "jpeg" | "jpe" | "jfif"),
            DocumentKind::PlainText => matches!(extension.as_str(), "txt" | "text"),
        }
    }

    /// "a PDF", "a PNG image": for messages.
    pub fn described(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "a PDF",
            DocumentKind::Png => "a PNG image",
            DocumentKind::Jpeg => "a JPEG image",
            DocumentKind::PlainText => "a plain-text file",
        }
    }

    fn from_mime(mime: &str) -> Option<DocumentKind> {
        [DocumentKind::Pdf, DocumentKind::Png, DocumentKind::Jpeg, DocumentKind::PlainText]
            .into_iter()
            .find(|kind| kind.mime().eq_ignore_ascii_case(mime))
    }
}

/// Why a file cannot be used. `Display` is the message to show beside the slot.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentProblem {
    #[error("{file_name} is empty; choose the scanned document itself")]
    Empty { file_name: String },
    /// A known type we do not accept: `described` is e.g. "a HEIC photo", `fix` what to do.
    #[error("{file_name} is {described}; Tradovate accepts PDF, PNG, JPEG or plain text ({fix})")]
    UnsupportedType { file_name: String, described: &'static str, fix: &'static str },
    #[error("{file_name} is not a PDF, PNG, JPEG or plain-text file")]
    UnknownType { file_name: String },
    #[error("{file_name} is {size}; the limit is {limit} after encoding")]
    TooLarge { file_name: String, size: String, limit: String },
    #[error("{file_name} looks damaged or cut off ({detail}); save or scan it again")]
    Damaged { file_name: String, detail: &'static str },
    #[error("{file_name} is really {described}; rename it {suggestion}")]
    ExtensionMismatch { file_name: String, described: &'static str, suggestion: String },
    #[error("{file_name}: file names must be 5 to 64 characters (this one has {count}); use {suggestion}")]
    FileNameLength { file_name: String, count: usize, suggestion: String },
    #[error("this is not a base64 data URI of a PDF, PNG, JPEG or plain-text file")]
    NotADataUri,
}

impl DocumentProblem {
    /// A file name that would fix the problem, for a one-click "Use this name" button.
    pub fn suggested_file_name(&self) -> Option<&str> {
        match self {
            DocumentProblem::ExtensionMismatch { suggestion, .. }
            | DocumentProblem::FileNameLength { suggestion, .. } => Some(suggestion),
            _ => None,
        }
    }
}

/// A local file chosen for one document slot, already checked (see the module comment).
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentFile {
    file_name: String,
    bytes: Vec<u8>,
    kind: DocumentKind,
}

impl DocumentFile {
    /// Checks a file the user chose. `file_name` may be a whole path; only its last part is kept.
    pub fn from_bytes(file_name: &str, bytes: Vec<u8>) -> Result<DocumentFile, DocumentProblem> {
        let file_name = base_name(file_name).to_owned();
        if bytes.is_empty() {
            return Err(DocumentProblem::Empty { file_name });
        }
        let kind = match sniff(&bytes) {
            Sniffed::Accepted(kind) => kind,
            Sniffed::Refused(described, fix) => {
                return Err(DocumentProblem::UnsupportedType { file_name, described, fix });
            }
            Sniffed::Unknown => return Err(DocumentProblem::UnknownType { file_name }),
        };
        check_document_size(&file_name, bytes.len() as u64)?;
        if let Some(detail) = damage(kind, &bytes) {
            return Err(DocumentProblem::Damaged { file_name, detail });
        }
        if !extension_of(&file_name).is_some_and(|extension| kind.accepts_extension(extension)) {
            let suggestion = suggested_file_name(&file_name, kind);
            return Err(DocumentProblem::ExtensionMismatch { file_name, described: kind.described(), suggestion });
        }
        match check_length(&file_name, MIN_FILE_NAME_CHARS, MAX_FILE_NAME_CHARS) {
            Ok(()) => Ok(DocumentFile { file_name, bytes, kind }),
            Err(Length::TooShort(count) | Length::TooLong(count)) => {
                let suggestion = suggested_file_name(&file_name, kind);
                Err(DocumentProblem::FileNameLength { file_name, count, suggestion })
            }
        }
    }

    /// Reads back a data URI written by [`DocumentFile::to_data_uri`], with the same checks.
    /// The declared MIME type must agree with the content.
    pub fn from_data_uri(file_name: &str, data_uri: &str) -> Result<DocumentFile, DocumentProblem> {
        let rest = data_uri.strip_prefix("data:").ok_or(DocumentProblem::NotADataUri)?;
        let (mime, payload) = rest.split_once(";base64,").ok_or(DocumentProblem::NotADataUri)?;
        let declared = DocumentKind::from_mime(mime).ok_or(DocumentProblem::NotADataUri)?;
        let bytes = STANDARD.decode(payload).map_err(|_| DocumentProblem::NotADataUri)?;
        let file = DocumentFile::from_bytes(file_name, bytes)?;
        if file.kind != declared {
            return Err(DocumentProblem::NotADataUri);
        }
        Ok(file)
    }

    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    pub fn mime(&self) -> &'static str {
        self.kind.mime()
    }

    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// "1.2 MB", for the slot's caption.
    pub fn human_size(&self) -> String {
        human_size(self.bytes.len())
    }

    /// True for PNG and JPEG: the UI can show a thumbnail.
    pub fn is_image(&self) -> bool {
        matches!(self.kind, DocumentKind::Png | DocumentKind::Jpeg)
    }

    /// `data:<mime>;base64,<content>`, the form `base64data` takes on the wire.
    pub fn to_data_uri(&self) -> String {
        format!("data:{};base64,{}", self.mime(), STANDARD.encode(&self.bytes))
    }
}

/// Never prints the content: an ID scan is as sensitive as the ID number on it.
impl fmt::Debug for DocumentFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentFile")
            .field("file_name", &self.file_name)
            .field("mime", &self.mime())
            .field("size", &self.bytes.len())
            .finish()
    }
}

/// The body of `submitPartnerSubaccountDocument` for one slot of an existing request.
pub fn to_upload(request_id: i64, document_type: DocumentType, file: &DocumentFile) -> SubmitPartnerSubaccountDocument {
    SubmitPartnerSubaccountDocument {
        sub_account_request_id: request_id,
        document_type,
        base64_data: file.to_data_uri(),
        file_name: file.file_name.clone(),
    }
}

/// The body of `submitCustomerApplicationDocument`: a pre-upload whose returned document ID is
/// then linked in the request (all three IDs or none). `user_id` is the trader when uploading
/// on their behalf; `None` means the caller.
pub fn to_customer_application_upload(
    document_type: DocumentType,
    file: &DocumentFile,
    user_id: Option<i64>,
) -> SubmitCustomerApplicationDocument {
    SubmitCustomerApplicationDocument {
        process: SUBACCOUNT_REQUEST_PROCESS.to_owned(),
        document_type,
        base64_data: file.to_data_uri(),
        file_name: file.file_name.clone(),
        user_id,
    }
}

/// A name Tradovate will accept for a file of this kind: the right extension, no path or
/// control characters, at most 64 characters (the stem is shortened, the extension kept),
/// at least 5 ("document.pdf" when nothing usable is left).
pub fn suggested_file_name(file_name: &str, kind: DocumentKind) -> String {
    let name = base_name(file_name);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let mut clean = String::new();
    for c in stem.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '(' | ')');
        let c = if keep { c } else { '_' };
        // One separator is enough: "scan__final" reads like noise.
        if (c == '_' || c == ' ') && clean.ends_with(['_', ' ']) {
            continue;
        }
        clean.push(c);
    }
    let extension = kind.extension();
    let room = MAX_FILE_NAME_CHARS - extension.len() - 1;
    let mut stem = String::new();
    for c in clean.trim_matches(['_', ' ', '.']).chars() {
        if stem.encode_utf16().count() + c.len_utf16() > room {
            break;
        }
        stem.push(c);
    }
    let stem = stem.trim_end_matches(['_', ' ', '.']);
    let stem = if stem.is_empty() { "document" } else { stem };
    format!("{stem}.{extension}")
}

/// "12 bytes", "850 KB", "1.2 MB". Decimal units (1 MB = 1,000,000 bytes), as the limits are.
pub fn human_size(bytes: usize) -> String {
    if bytes < 1_000 {
        return if bytes == 1 { "1 byte".to_owned() } else { format!("{bytes} bytes") };
    }
    let kilobytes = (bytes as f64 / 1_000.0).round();
    if kilobytes < 1_000.0 {
        return format!("{kilobytes} KB");
    }
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Two sizes that read differently: when rounding makes a too-large file look the same as
/// the limit ("3.7 MB; the limit is 3.7 MB") we fall back to exact bytes.
/// The size limit alone, for a file's size as the file system reports it: checked before
/// the file is read, so a huge file is refused without loading it.
pub fn check_document_size(file_name: &str, size: u64) -> Result<(), DocumentProblem> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if size > MAX_FILE_BYTES {
        let (size, limit) = distinct_sizes(size, MAX_FILE_BYTES);
        return Err(DocumentProblem::TooLarge { file_name: base_name(file_name).to_owned(), size, limit });
    }
    Ok(())
}

fn distinct_sizes(size: usize, limit: usize) -> (String, String) {
    let (rounded_size, rounded_limit) = (human_size(size), human_size(limit));
    if rounded_size != rounded_limit {
        return (rounded_size, rounded_limit);
    }
    (format!("{} bytes", thousands(size)), format!("{} bytes", thousands(limit)))
}

/// 3749211 as "3,749,211", for messages (the roster import's limits use it too).
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The last part of a path; pickers hand us whole paths on some platforms.
fn base_name(file_name: &str) -> &str {
    let trimmed = file_name.trim();
    trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed)
}

fn extension_of(file_name: &str) -> Option<&str> {
    match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && !extension.is_empty() => Some(extension),
        _ => None,
    }
}

enum Sniffed {
    Accepted(DocumentKind),
    /// A type we recognise and refuse: what it is, and what to do instead.
    Refused(&'static str, &'static str),
    Unknown,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = b"\xff\xd8\xff";
const PDF_SIGNATURE: &[u8] = b"%PDF-";

/// What the content is, by its first bytes.
fn sniff(bytes: &[u8]) -> Sniffed {
    // Readers accept junk before the PDF header as long as it starts within the first 1 KiB.
    if bytes[..bytes.len().min(1024)].windows(PDF_SIGNATURE.len()).any(|w| w == PDF_SIGNATURE) {
        return Sniffed::Accepted(DocumentKind::Pdf);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Sniffed::Accepted(DocumentKind::Png);
    }
    if bytes.starts_with(JPEG_SIGNATURE) {
        return Sniffed::Accepted(DocumentKind::Jpeg);
    }
    if let Some((described, fix)) = refused_type(bytes) {
        return Sniffed::Refused(described, fix);
    }
    if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        return Sniffed::Accepted(DocumentKind::PlainText);
    }
    // Mostly readable text that is not UTF-8: a Windows "ANSI" file, where é is one byte.
    let readable = bytes.iter().filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()).count();
    if !bytes.contains(&0) && readable * 10 >= bytes.len() * 9 {
        return Sniffed::Refused("a text file in an old encoding", TO_UTF8);
    }
    Sniffed::Unknown
}

const TO_IMAGE: &str = "export it as JPEG or PNG first";
const TO_PDF: &str = "save it as PDF first";
const TO_UTF8: &str = "save it as UTF-8 text or PDF first";

/// Types people often pick by mistake, named so the message can say what to do.
fn refused_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(("a GIF image", TO_IMAGE));
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(match &bytes[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => ("a HEIC photo", TO_IMAGE),
            b"avif" | b"avis" => ("an AVIF image", TO_IMAGE),
            _ => ("a video", "take a photo or scan instead"),
        });
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(("a WebP image", TO_IMAGE));
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some(("a TIFF image", "export it as PDF, JPEG or PNG first"));
    }
    if bytes.starts_with(b"BM") && bytes.len() > 14 && bytes[6..10] == [0, 0, 0, 0] {
        return Some(("a BMP image", TO_IMAGE));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(("a Word, Excel or ZIP file", TO_PDF));
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Some(("an old-style Word or Excel file", TO_PDF));
    }
    // Windows Notepad's "Unicode": full of NUL bytes, so it would not pass as plain text.
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Some(("a UTF-16 text file", TO_UTF8));
    }
    // Valid UTF-8, but a reviewer would see markup instead of a document.
    if bytes.starts_with(b"{\\rtf") {
        return Some(("a Rich Text (RTF) document", TO_PDF));
    }
    None
}

/// A reason to believe the file is truncated or corrupt. Images: only the header is decoded
/// (cheap even for large photos), which catches renamed and half-written files.
fn damage(kind: DocumentKind, bytes: &[u8]) -> Option<&'static str> {
    match kind {
        DocumentKind::Pdf => {
            // Every complete PDF ends with %%EOF; readers tolerate a little trailing junk.
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            (!tail.windows(5).any(|w| w == b"%%EOF")).then_some("the end of the PDF is missing")
        }
        DocumentKind::Png | DocumentKind::Jpeg => {
            let format = if kind == DocumentKind::Png { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
            match image::ImageReader::with_format(Cursor::new(bytes), format).into_dimensions() {
                Ok((width, height)) if width > 0 && height > 0 => None,
                _ => Some("the image cannot be read"),
            }
        }
        DocumentKind::PlainText => None,
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Tiny but real files, inline.

    /// A 1x1 RGB PNG (IHDR, IDAT, IEND).
    pub const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
        0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9,
        0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    /// A 1x1 baseline JPEG (written by `image`'s JPEG encoder, quality 50).
    pub const JPEG: &[u8] = &[
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x02, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x01, 0x00, 0x01, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01,
        0x03, 0x11, 0x01, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d, 0x0e,
        0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 0x25, 0x1d, 0x28, 0x3a, 0x33,
        0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d,
        0x51, 0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63,
        0xff, 0xdb, 0x00, 0x43, 0x01, 0x11, 0x12, 0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38,
        0x42, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
        0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
        0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xff, 0xc4, 0x00,
        0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00,
        0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03,
        0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81,
        0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a,
        0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
        0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
        0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86,
        0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
        0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
        0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5,
        0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xc4, 0x00,
        0x1f, 0x01, 0x00, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x11, 0x00,
        0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77, 0x00, 0x01, 0x02,
        0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08,
        0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24,
        0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39,
        0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63,
        0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84,
        0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4,
        0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4,
        0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4,
        0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xda, 0x00,
        0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0xc5, 0xaf, 0x2c, 0xfb, 0xc3, 0xff, 0xd9,
    ];
    /// A minimal one-page PDF.
    pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    /// The first bytes of an iPhone HEIC photo.
    pub const HEIC: &[u8] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic";
    /// A 1x1 GIF.
    pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    pub const TEXT: &[u8] = "Utility bill\nJosé Müller, 12 Main St\n".as_bytes();
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> Result<DocumentFile, DocumentProblem> {
        DocumentFile::from_bytes(name, bytes.to_vec())
    }

    #[test]
    fn the_four_accepted_kinds_are_recognised_by_content() {
        assert_eq!(file("passport.pdf", PDF).unwrap().mime(), "application/pdf");
        assert_eq!(file("passport.png", PNG).unwrap().mime(), "image/png");
        assert_eq!(file("passport.jpg", JPEG).unwrap().mime(), "image/jpeg");
        assert_eq!(file("passport.JPEG", JPEG).unwrap().mime(), "image/jpeg");
        assert_eq!(file("statement.txt", TEXT).unwrap().mime(), "text/plain");
        assert!(file("passport.png", PNG).unwrap().is_image());
        assert!(file("passport.jpg", JPEG).unwrap().is_image());
        assert!(!file("passport.pdf", PDF).unwrap().is_image());
        assert!(!file("statement.txt", TEXT).unwrap().is_image());
    }

    #[test]
    fn heic_and_gif_are_refused_with_the_reason() {
        let heic = file("passport.heic", HEIC).unwrap_err();
        assert_eq!(
            heic.to_string(),
            "passport.heic is a HEIC photo; Tradovate accepts PDF, PNG, JPEG or plain text (export it as JPEG or PNG first)"
        );
        assert_eq!(
            file("notes.txt", b"\xff\xfeN\0o\0").unwrap_err().to_string(),
            "notes.txt is a UTF-16 text file; Tradovate accepts PDF, PNG, JPEG or plain text (save it as UTF-8 text or PDF first)"
        );
        let windows_text = file("notes.txt", b"Jos\xe9 M\xfcller, 12 Main St").unwrap_err();
        assert!(windows_text.to_string().contains("a text file in an old encoding"), "{windows_text}");
        assert!(matches!(file("id.gif", GIF), Err(DocumentProblem::UnsupportedType { described: "a GIF image", .. })));
        assert!(matches!(file("id.docx", b"PK\x03\x04rest"), Err(DocumentProblem::UnsupportedType { .. })));
        assert!(matches!(file("id.rtf", b"{\\rtf1 hello}"), Err(DocumentProblem::UnsupportedType { .. })));
    }

    #[test]
    fn binary_junk_and_empty_files_are_refused() {
        let junk = file("scan.bin", &[0x00, 0x01, 0xfe, 0xff, 0x00]).unwrap_err();
        assert_eq!(junk.to_string(), "scan.bin is not a PDF, PNG, JPEG or plain-text file");
        // Text with a NUL byte is not plain text.
        assert!(matches!(file("notes.txt", b"abc\0def"), Err(DocumentProblem::UnknownType { .. })));
        assert!(matches!(file("notes.txt", b""), Err(DocumentProblem::Empty { .. })));
    }

    #[test]
    fn the_extension_must_agree_with_the_content() {
        let problem = file("passport.png", JPEG).unwrap_err();
        assert_eq!(problem.to_string(), "passport.png is really a JPEG image; rename it passport.jpg");
        assert_eq!(problem.suggested_file_name(), Some("passport.jpg"));
        assert!(matches!(file("passport", PDF), Err(DocumentProblem::ExtensionMismatch { .. })));
        assert!(matches!(file("scan.pdf", TEXT), Err(DocumentProblem::ExtensionMismatch { .. })));
        // The suggestion passes.
        assert!(file(problem.suggested_file_name().unwrap(), JPEG).is_ok());
    }

    #[test]
    fn damaged_files_are_caught() {
        let cut_pdf = &PDF[..PDF.len() - 8];
        assert!(matches!(file("scan.pdf", cut_pdf), Err(DocumentProblem::Damaged { .. })));
        assert!(matches!(file("scan.png", &PNG[..12]), Err(DocumentProblem::Damaged { .. })));
        assert!(matches!(file("scan.jpg", &JPEG[..4]), Err(DocumentProblem::Damaged { .. })));
    }

    #[test]
    fn the_size_limit_keeps_the_upload_body_under_5_mb() {
        assert_eq!(MAX_FILE_BYTES, 3_749_211);
        assert_eq!(human_size(MAX_FILE_BYTES), "3.7 MB");
        let mut biggest = PDF.to_vec();
        biggest.resize(MAX_FILE_BYTES - 6, b' ');
        biggest.extend_from_slice(b"%%EOF\n");
        let ok = file("scan.pdf", &biggest).unwrap();
        // The worst case body: longest document type, a 64-character name full of characters
        // JSON must escape, and the largest user ID.
        let name = format!("{}.pdf", "\u{1}".repeat(60));
        let upload = to_customer_application_upload(DocumentType::AddressVerificationFAFTA, &ok, Some(i64::MIN));
        let upload = SubmitCustomerApplicationDocument { file_name: name, ..upload };
        let body = serde_json::to_string(&upload).unwrap();
        assert!(body.len() <= MAX_BODY_BYTES, "{} bytes", body.len());
        assert!(upload.base64_data.len() <= MAX_DATA_URI_CHARS);
        let body = serde_json::to_string(&to_upload(i64::MAX, DocumentType::AddressVerificationFAFTA, &ok)).unwrap();
        assert!(body.len() <= MAX_BODY_BYTES);

        biggest.insert(100, b' ');
        let problem = file("scan.pdf", &biggest).unwrap_err();
        assert!(matches!(problem, DocumentProblem::TooLarge { .. }));
        // Rounding would show both as 3.7 MB, so the message gives exact bytes.
        assert_eq!(problem.to_string(), "scan.pdf is 3,749,212 bytes; the limit is 3,749,211 bytes after encoding");
        let mut big = PDF.to_vec();
        big.resize(4_100_000, b' ');
        assert_eq!(
            file("scan.pdf", &big).unwrap_err().to_string(),
            "scan.pdf is 4.1 MB; the limit is 3.7 MB after encoding"
        );
    }

    #[test]
    fn file_names_must_be_5_to_64_characters() {
        assert!(file("a.pdf", PDF).is_ok(), "exactly 5 is fine");
        let long = format!("{}.pdf", "x".repeat(60));
        assert!(file(&long, PDF).is_ok(), "exactly 64 is fine");
        let too_long = format!("{}.pdf", "Scan of passport ".repeat(4));
        let problem = file(&too_long, PDF).unwrap_err();
        assert!(matches!(problem, DocumentProblem::FileNameLength { count: 72, .. }), "{problem:?}");
        assert!(problem.to_string().contains("file names must be 5 to 64 characters"));
        let suggestion = problem.suggested_file_name().unwrap();
        assert!(suggestion.ends_with(".pdf") && suggestion.chars().count() <= 64, "{suggestion}");
        assert!(file(suggestion, PDF).is_ok());
        // Emoji count as two characters against the maximum (a Java server counts them so).
        let emoji = format!("{}.pdf", "😀".repeat(31));
        assert!(matches!(file(&emoji, PDF), Err(DocumentProblem::FileNameLength { count: 66, .. })));
    }

    #[test]
    fn suggested_names_are_clean_short_and_keep_the_right_extension() {
        assert_eq!(suggested_file_name("scan", DocumentKind::Pdf), "scan.pdf");
        assert_eq!(suggested_file_name("passport.png", DocumentKind::Jpeg), "passport.jpg");
        assert_eq!(suggested_file_name("bad:name*?.pdf", DocumentKind::Pdf), "bad_name.pdf");
        assert_eq!(suggested_file_name(".pdf", DocumentKind::Pdf), "document.pdf");
        assert_eq!(
            suggested_file_name("C:\\Users\\me\\Desktop\\Führerschein.jpg", DocumentKind::Jpeg),
            "Führerschein.jpg"
        );
        let long = suggested_file_name(&format!("{}.pdf", "a".repeat(200)), DocumentKind::Pdf);
        assert_eq!(long, format!("{}.pdf", "a".repeat(60)));
    }

    #[test]
    fn paths_are_reduced_to_the_file_name() {
        let chosen = file("/home/me/Documents/passport.pdf", PDF).unwrap();
        assert_eq!(chosen.file_name(), "passport.pdf");
    }

    #[test]
    fn data_uri_round_trip() {
        for (name, bytes, mime) in [
            ("passport.pdf", PDF, "application/pdf"),
            ("passport.png", PNG, "image/png"),
            ("passport.jpg", JPEG, "image/jpeg"),
            ("statement.txt", TEXT, "text/plain"),
        ] {
            let chosen = file(name, bytes).unwrap();
            let uri = chosen.to_data_uri();
            assert!(uri.starts_with(&format!("data:{mime};base64,")), "{uri}");
            let back = DocumentFile::from_data_uri(name, &uri).unwrap();
            assert_eq!(back, chosen);
            assert_eq!(back.bytes(), bytes);
        }
        assert_eq!(
            file("a.png", PNG).unwrap().to_data_uri(),
            format!("data:image/png;base64,{}", STANDARD.encode(PNG))
        );
        // A MIME type that disagrees with the content is refused.
        let lying = format!("data:image/png;base64,{}", STANDARD.encode(PDF));
        assert_eq!(DocumentFile::from_data_uri("a.pdf", &lying), Err(DocumentProblem::NotADataUri));
        assert_eq!(DocumentFile::from_data_uri("a.pdf", "not a uri"), Err(DocumentProblem::NotADataUri));
    }

    #[test]
    fn uploads_carry_the_data_uri_and_name() {
        let chosen = file("passport.pdf", PDF).unwrap();
        let upload = to_upload(987_654_321, DocumentType::Id, &chosen);
        let json = serde_json::to_value(&upload).unwrap();
        assert_eq!(json["subAccountRequestId"], 987_654_321);
        assert_eq!(json["documentType"], "Id");
        assert_eq!(json["base64data"], chosen.to_data_uri());
        assert_eq!(json["filename"], "passport.pdf");
        let pre = to_customer_application_upload(DocumentType::PoaForm, &chosen, Some(12345));
        let json = serde_json::to_value(&pre).unwrap();
        assert_eq!(json["process"], "SubAccountRequest");
        assert_eq!(json["documentType"], "POAForm");
        assert_eq!(json["userId"], 12345);
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(850_000), "850 KB");
        assert_eq!(human_size(999_600), "1.0 MB");
        assert_eq!(human_size(1_234_567), "1.2 MB");
        assert_eq!(file("passport.png", PNG).unwrap().human_size(), "69 bytes");
    }

    #[test]
    fn debug_never_prints_the_content() {
        let chosen = file("statement.txt", TEXT).unwrap();
        let shown = format!("{chosen:?}");
        assert!(!shown.contains("Müller") && !shown.contains("85, 116"), "{shown}");
        assert!(shown.contains("statement.txt"));
    }
}
