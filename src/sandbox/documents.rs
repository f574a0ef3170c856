//! Document uploads (reference 6.2, 6.3): JSON bodies whose `base64data` is a data URI.

use super::auth::{ADMINS_ONLY, caller_org};
use super::config::FilledSlotReply;
use super::rules::{self, Check};
use super::server::{Ctx, Reply};
use super::state::{DocKind, DocumentRec, Id, World};
use super::subaccounts::maybe_start_review;
use crate::api::wire::SubaccountStatus;
use base64::Engine;
use serde_json::{Value, json};

/// Longest accepted `base64data` field (reference 6.2).
pub const MAX_DATA_CHARS: usize = 8_388_608;

fn fail(e: impl Into<String>) -> Reply {
    Reply::ok(json!({ "ok": false, "errorText": e.into() }))
}

/// A second upload to a filled slot, in the configured words.
fn filled_slot(reply: FilledSlotReply, kind: DocKind, request_id: Id) -> Reply {
    match reply {
        FilledSlotReply::Sentence => {
            fail(format!("{} already has a completed upload for request {request_id}", kind.wire()))
        }
        FilledSlotReply::Reworded => {
            fail(format!("A document of type {} was already submitted for this request", kind.wire()))
        }
        FilledSlotReply::ConflictCode => {
            Reply::ok(json!({ "ok": false, "errorText": "Duplicate", "errorCode": "ConflictWithExisting" }))
        }
    }
}

/// `data:<mime>;base64,<payload>` with mime application/pdf, text/plain or image/*;
/// returns the decoded size.
pub fn check_data_uri(data: &str) -> Check<usize> {
    if data.chars().count() > MAX_DATA_CHARS {
        return Err(format!("base64data exceeds {MAX_DATA_CHARS} characters"));
    }
    let rest = data.strip_prefix("data:").ok_or("base64data must be a data URI: data:<mime>;base64,<content>")?;
    let (mime, payload) =
        rest.split_once(";base64,").ok_or("base64data must be a data URI: data:<mime>;base64,<content>")?;
    let mime_ok = mime == "application/pdf"
        || mime == "text/plain"
        || mime.strip_prefix("image/").is_some_and(|sub| !sub.is_empty() && !sub.contains(['/', ';', ',']));
    if !mime_ok {
        return Err(format!("Unsupported MIME type {mime:?}: use application/pdf, text/plain or image/*"));
    }
    if payload.is_empty() {
        return Err("base64data has no content".into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| "base64data content is not valid base64".to_string())?;
    Ok(bytes.len())
}

struct Upload<'a> {
    kind: DocKind,
    filename: &'a str,
    bytes: usize,
}

fn check_upload(body: &Value) -> Check<Upload<'_>> {
    let kind_text = rules::req_str(body, "documentType")?;
    let kind = DocKind::parse(kind_text)
        .ok_or(format!("documentType must be POAForm, Id or AddressVerificationFAFTA, got {kind_text:?}"))?;
    let data = rules::req_str(body, "base64data")?;
    let filename = rules::req_str(body, "filename")?;
    rules::len_between("filename", filename, 5, 64)?;
    let bytes = check_data_uri(data)?;
    Ok(Upload { kind, filename, bytes })
}

/// `submitPartnerSubaccountDocument {subAccountRequestId, documentType, base64data, filename}`.
pub fn submit_partner(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    if !is_admin {
        return fail(ADMINS_ONLY);
    }
    let request_id = match rules::req_i64(&ctx.body, "subAccountRequestId") {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    let upload = match check_upload(&ctx.body) {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let Some(request) = world.subaccounts.iter().find(|r| r.id == request_id && r.org_id == org_id) else {
        return fail(format!("Subaccount request {request_id} not found"));
    };
    if matches!(request.status, SubaccountStatus::Approved | SubaccountStatus::Denied) {
        return fail(format!("Subaccount request {request_id} is already {:?}", request.status));
    }
    if request.slots.contains_key(&upload.kind) {
        return filled_slot(ctx.shared.config.filled_slot_reply, upload.kind, request_id);
    }
    let user_id = request.cta_user_id;
    let id = store(world, &upload, user_id, org_id, Some(request_id));
    if let Some(request) = world.subaccounts.iter_mut().find(|r| r.id == request_id) {
        request.slots.insert(upload.kind, id);
    }
    maybe_start_review(ctx.shared, world, request_id);
    Reply::ok(json!({ "ok": true, "documentId": id }))
}

fn store(world: &mut World, upload: &Upload<'_>, user_id: Id, org_id: Id, request_id: Option<Id>) -> Id {
    let id = world.new_id();
    world.documents.push(DocumentRec {
        id,
        kind: upload.kind,
        user_id,
        org_id,
        filename: upload.filename.to_string(),
        bytes: upload.bytes,
        request_id,
    });
    id
}

/// `submitCustomerApplicationDocument {process, documentType, base64data, filename, userId?}`:
/// stored for linking later in `createPartnerSubaccountRequest`.
pub fn submit_customer(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (org_id, is_admin) = caller_org(ctx, world);
    let process = match rules::req_str(&ctx.body, "process") {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let user_id = match rules::opt_i64(&ctx.body, "userId") {
        Ok(id) => id.unwrap_or(ctx.caller_id()),
        Err(e) => return fail(e),
    };
    if process != "SubAccountRequest" {
        // Other processes need the B2B account-opening permission, which no sandbox user has.
        return fail(format!("Access is denied for process {process:?}: only SubAccountRequest is available"));
    }
    if user_id != ctx.caller_id() && !is_admin {
        return fail(ADMINS_ONLY);
    }
    if world.user(user_id).is_none_or(|u| u.org_id != org_id) {
        return fail(format!("User {user_id} not found"));
    }
    let upload = match check_upload(&ctx.body) {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let id = store(world, &upload, user_id, org_id, None);
    Reply::ok(json!({ "ok": true, "documentId": id }))
}

#[cfg(test)]
mod tests {
    use super::check_data_uri;

    #[test]
    fn data_uris() {
        assert_eq!(check_data_uri("data:application/pdf;base64,aGVsbG8=").unwrap(), 5);
        assert!(check_data_uri("data:image/png;base64,aGVsbG8=").is_ok());
        assert!(check_data_uri("aGVsbG8=").is_err());
        assert!(check_data_uri("data:application/zip;base64,aGVsbG8=").is_err());
        assert!(check_data_uri("data:text/plain;base64,@@@").is_err());
        assert!(check_data_uri("data:image/;base64,aGVsbG8=").is_err());
        assert!(check_data_uri("data:text/plain;base64,").is_err());
    }
}
