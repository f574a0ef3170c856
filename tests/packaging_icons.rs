//! The Windows and macOS icons the installers use (packaging/make_platform_icons.py):
//! each file parses, and holds every size the platform asks for, drawn at that size.

use std::collections::BTreeSet;

fn read(path: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run packaging/make_platform_icons.py)", path.display()))
}

fn u16_le(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_le(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn u32_be(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// Width and height of a PNG image, decoded in full (a broken one fails here).
fn png_size(data: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory_with_format(data, image::ImageFormat::Png).expect("a valid PNG");
    (image.width(), image.height())
}

/// Pixels of one ICO entry: a PNG, or a 32-bit bitmap (header height counts the mask too).
fn ico_entry_size(data: &[u8]) -> (u32, u32) {
    if data.starts_with(b"\x89PNG") {
        return png_size(data);
    }
    assert_eq!(u32_le(data, 0), 40, "a BITMAPINFOHEADER");
    let (width, double_height, bits) = (u32_le(data, 4), u32_le(data, 8), u16_le(data, 14));
    assert_eq!(bits, 32, "32-bit colour with alpha");
    let row_mask = width.div_ceil(32) * 4;
    let expected = 40 + width * (double_height / 2) * 4 + row_mask * (double_height / 2);
    assert_eq!(data.len() as u32, expected, "pixels and mask of a {width} px bitmap");
    (width, double_height / 2)
}

#[test]
fn windows_icon_has_every_size_from_16_to_256() {
    let ico = read("packaging/windows/propdesk.ico");
    assert_eq!((u16_le(&ico, 0), u16_le(&ico, 2)), (0, 1), "an ICO header");
    let count = u16_le(&ico, 4) as usize;
    let mut sizes = BTreeSet::new();
    for entry in 0..count {
        let at = 6 + entry * 16;
        let listed = match ico[at] {
            0 => 256,
            n => u32::from(n),
        };
        let (len, offset) = (u32_le(&ico, at + 8) as usize, u32_le(&ico, at + 12) as usize);
        let data = ico.get(offset..offset + len).expect("the entry lies inside the file");
        let (width, height) = ico_entry_size(data);
        assert_eq!((width, height), (listed, listed), "entry {entry} is the size its directory says");
        sizes.insert(width);
    }
    assert_eq!(sizes, BTreeSet::from([16, 24, 32, 48, 64, 128, 256]));
}

#[test]
fn macos_icon_has_every_size_from_16_to_512_with_retina_variants() {
    let icns = read("packaging/macos/propdesk.icns");
    assert_eq!(&icns[..4], b"icns");
    assert_eq!(u32_be(&icns, 4) as usize, icns.len(), "the header counts the whole file");
    let mut found = BTreeSet::new();
    let mut at = 8;
    while at < icns.len() {
        let kind = std::str::from_utf8(&icns[at..at + 4]).unwrap().to_string();
        let len = u32_be(&icns, at + 4) as usize;
        let (width, height) = png_size(&icns[at + 8..at + len]);
        assert_eq!(width, height, "{kind} is square");
        found.insert((kind, width));
        at += len;
    }
    assert_eq!(at, icns.len(), "entries end where the file ends");
    let expected: BTreeSet<(String, u32)> = [
        ("icp4", 16),
        ("icp5", 32),
        ("icp6", 64),
        ("ic07", 128),
        ("ic08", 256),
        ("ic09", 512),
        ("ic11", 32),
        ("ic12", 64),
        ("ic13", 256),
        ("ic14", 512),
    ]
    .into_iter()
    .map(|(kind, size)| (kind.to_string(), size))
    .collect();
    assert_eq!(found, expected);
}
