//! Test fixtures: a minimal .xlsx written by hand. A workbook is a zip of XML parts,
//! stored (uncompressed) here; only the "zip bomb" fixtures are deflated, with the zip
//! crate the import already uses to check workbooks.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn stored_zip(files: &[(&str, String)]) -> Vec<u8> {
    const DOS_DATE: u16 = (44 << 9) | (1 << 5) | 1; // 2024-01-01
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in files {
        let (data, offset) = (content.as_bytes(), out.len() as u32);
        let (crc, size, name_len) = (crc32(data), data.len() as u32, name.len() as u16);
        out.extend(0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, 0, 0, DOS_DATE] {
            out.extend(v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend(v.to_le_bytes());
        }
        out.extend(name_len.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(data);

        central.extend(0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, 0, DOS_DATE] {
            central.extend(v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend(v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (cd_offset, cd_size, count) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend(v.to_le_bytes());
    }
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
}

pub fn sheet_xml(rows: &[Vec<Cell>]) -> String {
    let mut xml =
        String::from(r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#);
    for (r, row) in rows.iter().enumerate() {
        xml += &format!(r#"<row r="{}">"#, r + 1);
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            xml += &match cell {
                Cell::Text(t) => format!(r#"<c r="{at}" t="inlineStr"><is><t>{t}</t></is></c>"#),
                Cell::Number(n) => format!(r#"<c r="{at}"><v>{n}</v></c>"#),
            };
        }
        xml += "</row>";
    }
    xml + "</sheetData></worksheet>"
}

pub fn workbook(sheets: &[(&str, String)]) -> Vec<u8> {
    let files = workbook_parts(sheets);
    let borrowed: Vec<(&str, String)> = files.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    stored_zip(&borrowed)
}

/// The parts (path, XML) of a workbook with these sheets.
pub fn workbook_parts(sheets: &[(&str, String)]) -> Vec<(String, String)> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut entries = vec![];
    let mut overrides = String::new();
    let mut sheet_list = String::new();
    let mut sheet_rels = String::new();
    for (i, (name, xml)) in sheets.iter().enumerate() {
        let n = i + 1;
        overrides += &format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        );
        sheet_list += &format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#);
        sheet_rels +=
            &format!(r#"<Relationship Id="rId{n}" Type="{DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>"#);
        entries.push((format!("xl/worksheets/sheet{n}.xml"), xml.clone()));
    }
    let mut files = vec![
        (
            "[Content_Types].xml".to_string(),
            format!(
                r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#
            ),
        ),
        (
            "_rels/.rels".to_string(),
            format!(
                r#"<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(r#"<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>{sheet_list}</sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(r#"<Relationships xmlns="{RELS}">{sheet_rels}</Relationships>"#),
        ),
    ];
    files.extend(entries);
    files
}

/// A deflated workbook of these parts, where `padded` names one part that gets `spaces`
/// spaces inserted before its last `</`: a few hundred KB on disk, any size unpacked.
pub fn padded_workbook(parts: &[(String, String)], padded: &str, spaces: u64) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(spaces > u64::from(u32::MAX) / 2);
    let chunk = vec![b' '; 1 << 20];
    for (name, xml) in parts {
        zip.start_file(name.as_str(), options).unwrap();
        if name != padded {
            zip.write_all(xml.as_bytes()).unwrap();
            continue;
        }
        let split = xml.rfind("</").unwrap();
        zip.write_all(&xml.as_bytes()[..split]).unwrap();
        let mut left = spaces;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            zip.write_all(&chunk[..n]).unwrap();
            left -= n as u64;
        }
        zip.write_all(&xml.as_bytes()[split..]).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

/// The same zip with every part's header claiming it unpacks to 1 KB: a bomb that lies,
/// so only counting while unpacking can catch it.
pub fn understate_sizes(mut zip: Vec<u8>) -> Vec<u8> {
    let claim = 1024u32.to_le_bytes();
    let mut at = 0;
    while at + 30 <= zip.len() {
        let signature = u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
        let offset = match signature {
            0x0403_4b50 => 22, // local header: uncompressed size
            0x0201_4b50 => 24, // central directory: uncompressed size
            _ => {
                at += 1;
                continue;
            }
        };
        zip[at + offset..at + offset + 4].copy_from_slice(&claim);
        at += 4;
    }
    zip
}
