//! `--help` and argument errors in the user's language. Clap's derive gives
//! the shape of the command line; every description is then replaced by
//! the catalog's text (`cli.help.<command path>.<argument>`), and clap's
//! error kinds are rendered from the catalogs too.

use super::{Cli, out};
use crate::i18n::{Lang, tr, tr_in, trf};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command, CommandFactory};
use std::ffi::OsString;
use std::process::ExitCode;

/// The command line with every description taken from the catalogs in the
/// current language.
pub fn command() -> Command {
    command_in(crate::i18n::lang())
}

/// The command line described in `lang`.
pub fn command_in(lang: Lang) -> Command {
    localize(Cli::command(), lang, "cli.help", true)
}

fn localize(cmd: Command, lang: Lang, key: &str, top: bool) -> Command {
    let tr = |k: &str| tr_in(lang, k);
    let mut cmd = cmd
        .about(tr(&format!("{key}.about")))
        .long_about(None)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .subcommand_help_heading(tr("cli.h.commands"))
        .subcommand_value_name(tr("cli.h.command"))
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}",
            usage_heading(lang)
        ))
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr("cli.h.help"))
                .help_heading(tr("cli.h.options")),
        );
    if top {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr("cli.h.version"))
                .help_heading(tr("cli.h.options")),
        );
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .filter(|id| id != "help" && id != "version")
        .collect();
    for id in ids {
        let text = arg_text(lang, key, &id);
        cmd = cmd.mut_arg(&id, |a| {
            let heading = if a.is_positional() {
                tr("cli.h.arguments")
            } else {
                tr("cli.h.options")
            };
            // Defaults and choices are spelled out in the catalog text:
            // clap would label them in English.
            let a = a.help(text).help_heading(heading);
            let a = if a.get_action().takes_values() {
                a.value_name(value_name(lang, key, &id))
            } else {
                a
            };
            if a.get_action().takes_values() {
                a.hide_default_value(true).hide_possible_values(true)
            } else {
                a
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_key = format!("{key}.{name}");
        cmd = cmd.mut_subcommand(&name, |s| localize(s, lang, &sub_key, false));
    }
    cmd
}

/// An argument's description: the command's own (`cli.help.roster.import.file`),
/// else the one shared by every command taking it (`cli.a.as_operator`).
fn arg_text(lang: Lang, key: &str, id: &str) -> String {
    let own = format!("{key}.{id}");
    let v = tr_in(lang, &own);
    if v == own {
        tr_in(lang, &format!("cli.a.{id}"))
    } else {
        v
    }
}

/// The placeholder shown for an option's value (`--out <文件>`): the
/// command's own (`cli.help.sync.export.out.value`), else the one shared
/// by every option of that name (`cli.v.out`).
fn value_name(lang: Lang, key: &str, id: &str) -> String {
    let own = format!("{key}.{id}.value");
    let v = tr_in(lang, &own);
    if v == own {
        tr_in(lang, &format!("cli.v.{id}"))
    } else {
        v
    }
}

/// "用法：" or "Usage: " — a full-width colon needs no space after it.
fn usage_heading(lang: Lang) -> String {
    let h = tr_in(lang, "cli.h.usage");
    if h.ends_with('：') {
        h
    } else {
        format!("{h} ")
    }
}

/// The value of `--lang` if it is on the command line (before `--`).
pub fn lang_arg(args: &[OsString]) -> Option<String> {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().map(|v| v.into_owned());
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            return Some(v.to_string());
        }
    }
    None
}

/// The subcommands chosen, for the log: "report visitors".
pub fn command_path(m: &ArgMatches) -> String {
    let mut parts = vec![];
    let mut cur = m;
    while let Some((name, sub)) = cur.subcommand() {
        parts.push(name.to_string());
        cur = sub;
    }
    if parts.is_empty() {
        "tui".to_string()
    } else {
        parts.join(" ")
    }
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The error as one line in the user's language, or None for a kind the
/// catalogs do not cover (clap's own English text is shown then).
fn error_line(e: &clap::Error) -> Option<String> {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut line = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation | ErrorKind::NoEquals => {
            trf("cli.e.invalid_value", &[("arg", arg), ("value", value)])
        }
        ErrorKind::UnknownArgument => trf("cli.e.unknown_arg", &[("arg", arg)]),
        ErrorKind::InvalidSubcommand => trf(
            "cli.e.unknown_command",
            &[(
                "name",
                context(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
            )],
        ),
        ErrorKind::MissingRequiredArgument => trf("cli.e.missing_arg", &[("arg", arg)]),
        ErrorKind::MissingSubcommand => tr("cli.e.missing_command"),
        ErrorKind::ArgumentConflict => trf(
            "cli.e.conflict",
            &[
                ("arg", arg),
                (
                    "other",
                    context(e, ContextKind::PriorArg).unwrap_or_default(),
                ),
            ],
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            trf("cli.e.value_count", &[("arg", arg)])
        }
        ErrorKind::InvalidUtf8 => tr("cli.e.utf8"),
        _ => return None,
    };
    if let Some(valid) = context(e, ContextKind::ValidValue) {
        line.push_str(&trf("cli.e.valid", &[("list", valid)]));
    }
    if let Some(s) = context(e, ContextKind::SuggestedArg)
        .or_else(|| context(e, ContextKind::SuggestedSubcommand))
        .or_else(|| context(e, ContextKind::SuggestedValue))
    {
        line.push_str(&trf("cli.e.did_you_mean", &[("s", s)]));
    }
    Some(line)
}

/// Shows clap's outcome when parsing stopped: help and version on stdout
/// (exit 0), anything else on stderr as `dutydesk: …` and the usage (exit 2,
/// clap's convention for usage errors).
pub fn report_clap_error(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = e.render().to_string();
            out::text(&text);
            if !text.ends_with('\n') {
                out::text("\n");
            }
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            out::err_line(e.render().to_string().trim_end());
            return ExitCode::from(2);
        }
        _ => {}
    }
    match error_line(e) {
        Some(line) => {
            out::err_line(format!("dutydesk: {line}"));
            if let Some(usage) = context(e, ContextKind::Usage) {
                let usage = usage.trim_start_matches("Usage:").trim();
                out::err_line(format!("{}{usage}", usage_heading(crate::i18n::lang())));
            }
            out::err_line(tr("cli.e.more"));
        }
        None => out::err_line(e.render().to_string().trim_end()),
    }
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN_SRC, ZH_CN_SRC, parse_catalog};

    /// Every command and argument has a description in both catalogs: a
    /// missing key would show itself (`cli.help.init.kind`) in `--help`.
    #[test]
    fn every_command_and_option_is_described_in_both_languages() {
        let zh = parse_catalog(ZH_CN_SRC);
        let en = parse_catalog(EN_SRC);
        let mut missing = vec![];
        fn walk(cmd: &Command, key: &str, out: &mut Vec<String>) {
            out.push(format!("{key}.about"));
            for a in cmd.get_arguments() {
                let own = format!("{key}.{}", a.get_id());
                let zh = parse_catalog(ZH_CN_SRC);
                out.push(if zh.contains_key(own.as_str()) {
                    own
                } else {
                    format!("cli.a.{}", a.get_id())
                });
                if a.get_action().takes_values() {
                    let own = format!("{key}.{}.value", a.get_id());
                    let zh = parse_catalog(ZH_CN_SRC);
                    out.push(if zh.contains_key(own.as_str()) {
                        own
                    } else {
                        format!("cli.v.{}", a.get_id())
                    });
                }
            }
            for s in cmd.get_subcommands() {
                walk(s, &format!("{key}.{}", s.get_name()), out);
            }
        }
        let mut keys = vec![];
        walk(&Cli::command(), "cli.help", &mut keys);
        assert!(keys.len() > 40, "{keys:?}");
        for k in keys {
            if !zh.contains_key(k.as_str()) || !en.contains_key(k.as_str()) {
                missing.push(k);
            }
        }
        assert!(missing.is_empty(), "no description for {missing:?}");
    }

    /// Clap checks a command's consistency only when it parses; check every
    /// localized command in both languages here instead of at a user's desk.
    #[test]
    fn the_localized_command_is_consistent() {
        for lang in [Lang::ZhCn, Lang::En] {
            command_in(lang).debug_assert();
        }
    }

    #[test]
    fn the_language_is_found_before_parsing() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            lang_arg(&args(&["dutydesk", "check", "--lang", "en"])).as_deref(),
            Some("en")
        );
        assert_eq!(
            lang_arg(&args(&["dutydesk", "--lang=zh-CN", "--help"])).as_deref(),
            Some("zh-CN")
        );
        assert_eq!(
            lang_arg(&args(&["dutydesk", "roster", "import", "--", "--lang"])),
            None
        );
        assert_eq!(lang_arg(&args(&["dutydesk", "--lang"])), None);
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
    }
}
