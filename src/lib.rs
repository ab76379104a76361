//! dutydesk (值班台): offline duty-room ledgers for Chinese schools.
//!
//! Layers point one way: `ui`/`panes` → `app` → `domain`; `store` → `domain`;
//! `report` and `cli` use `store`. `domain` knows neither SQL nor terminals.

pub mod action;
pub mod app;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod keymap;
pub mod logging;
pub mod panes;
pub mod report;
pub mod screens;
pub mod store;
pub mod sync;
pub mod ui;
