//! Colours and styles in one place. Chosen to read on an old 16-colour
//! console as well as a modern terminal.

use ratatui::style::{Color, Modifier, Style};

pub const ERROR: Color = Color::Red;
pub const OVERSTAY: Color = Color::LightRed;
pub const WARN: Color = Color::Yellow;
pub const OK: Color = Color::Green;
pub const ACCENT: Color = Color::Cyan;
pub const MUTED: Color = Color::DarkGray;
pub const BAR_BG: Color = Color::Blue;
pub const BAR_FG: Color = Color::White;

pub fn bar() -> Style {
    Style::new().bg(BAR_BG).fg(BAR_FG)
}
pub fn title() -> Style {
    Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
}
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
pub fn muted() -> Style {
    Style::new().fg(MUTED)
}
pub fn error() -> Style {
    Style::new().fg(ERROR).add_modifier(Modifier::BOLD)
}
pub fn overstay() -> Style {
    Style::new().fg(OVERSTAY).add_modifier(Modifier::BOLD)
}
pub fn key() -> Style {
    Style::new().fg(Color::Black).bg(Color::Gray)
}
pub fn focus() -> Style {
    Style::new().fg(Color::Black).bg(ACCENT)
}
pub fn input() -> Style {
    Style::new().add_modifier(Modifier::UNDERLINED)
}
