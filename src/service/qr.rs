//! QR codes for the job ticket (施工单): the UI address of a work order or a task, drawn as
//! SVG. Only what the caller may see gets a code; the address format lives here and nowhere
//! else, so the UI router and the printed tickets cannot drift apart.

use super::{tasks, work_orders, Actor, Error};
use crate::store::Store;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// What a code points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    WorkOrder(i64),
    Task(i64),
}

/// The UI address that opens `target`, e.g. `http://10.0.0.5:8080/#/tasks/12`.
/// `origin` is scheme and host without a trailing slash.
pub fn ui_url(origin: &str, target: Target) -> String {
    match target {
        Target::WorkOrder(id) => format!("{origin}/#/work-orders/{id}"),
        Target::Task(id) => format!("{origin}/#/tasks/{id}"),
    }
}

/// Draws `text` as an SVG QR code. Medium error correction survives a smudged ticket on the
/// shop floor while keeping a short URL at version 3 or 4, which small print still resolves.
pub fn render_svg(text: &str) -> Result<String, Error> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(format!("encoding a QR code: {e}")))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// The QR code of an order or task the actor may see; otherwise `NotFound`, like a read.
pub async fn qr_svg(
    store: &Store,
    actor: &Actor,
    target: Target,
    origin: &str,
) -> Result<String, Error> {
    match target {
        Target::WorkOrder(id) => {
            work_orders::get_work_order(store, actor, id).await?;
        }
        Target::Task(id) => {
            tasks::get_task(store, actor, id).await?;
        }
    }
    render_svg(&ui_url(origin, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_match_the_ui_routes() {
        assert_eq!(
            ui_url("http://10.0.0.5:8080", Target::Task(12)),
            "http://10.0.0.5:8080/#/tasks/12"
        );
        assert_eq!(
            ui_url("http://shop", Target::WorkOrder(3)),
            "http://shop/#/work-orders/3"
        );
    }

    #[test]
    fn the_svg_is_a_square_image_with_dark_modules() {
        let svg = render_svg("http://10.0.0.5:8080/#/tasks/12").unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains(r##"fill="#000""##));
        let code =
            QrCode::with_error_correction_level(b"http://10.0.0.5:8080/#/tasks/12", EcLevel::M)
                .unwrap();
        // A different text gives a different drawing: the URL is really encoded.
        assert_ne!(svg, render_svg("http://10.0.0.5:8080/#/tasks/13").unwrap());
        assert!(code.width() >= 21);
    }
}
