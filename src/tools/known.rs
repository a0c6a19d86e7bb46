//! Checks the names in `toolsets:` (toolsets, tools to include or exclude) against the tool
//! registry. It runs where both the config and the registry are known: at start-up and in
//! `check-config`. An unknown name is refused with the closest known one, because a typo in
//! `tools.include` would otherwise serve no tools at all.

use super::KNOWN_TOOLSETS;
use super::registry::all_toolsets;
use crate::config::ToolsetsConfig;

/// An unknown name: the dotted config key and a message naming the closest match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct UnknownName {
    /// Dotted key path, e.g. `toolsets.tools.include`.
    pub key: String,
    /// What is wrong and what was probably meant.
    pub message: String,
}

/// Every tool name of every toolset, whether enabled or not.
pub fn all_tool_names() -> Vec<String> {
    let mut names: Vec<String> = all_toolsets()
        .into_iter()
        .flat_map(|(_, router)| router.list_all().into_iter().map(|t| t.name.to_string()))
        .collect();
    names.sort();
    names
}

/// The known name closest to `name`, when one is reasonably close.
pub fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

fn suggestion(closest: Option<&str>) -> String {
    closest
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Refuses unknown toolset names in `toolsets.enabled` and unknown tool names in
/// `toolsets.tools.include` / `exclude`.
pub fn check_names(settings: &ToolsetsConfig) -> Result<(), UnknownName> {
    for name in settings.enabled.iter().flatten() {
        if !KNOWN_TOOLSETS.contains(&name.as_str()) {
            return Err(UnknownName {
                key: "toolsets.enabled".into(),
                message: format!(
                    "unknown toolset `{name}`{}; known toolsets: {}",
                    suggestion(closest(name, KNOWN_TOOLSETS.iter().copied())),
                    KNOWN_TOOLSETS.join(", ")
                ),
            });
        }
    }
    let tools = all_tool_names();
    for (key, list) in [
        ("toolsets.tools.include", &settings.tools.include),
        ("toolsets.tools.exclude", &settings.tools.exclude),
    ] {
        for name in list {
            if !tools.contains(name) {
                return Err(UnknownName {
                    key: key.into(),
                    message: format!(
                        "unknown tool `{name}`{}; docs/tools.md lists every tool name",
                        suggestion(closest(name, tools.iter().map(String::as_str)))
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The effective `toolsets.enabled`: the configured list, or every known toolset.
pub fn effective_enabled(settings: &ToolsetsConfig) -> Vec<String> {
    settings
        .enabled
        .clone()
        .unwrap_or_else(|| KNOWN_TOOLSETS.iter().map(|s| s.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ToolFilterConfig;

    fn with_include(include: &[&str]) -> ToolsetsConfig {
        ToolsetsConfig {
            tools: ToolFilterConfig {
                include: include.iter().map(|s| s.to_string()).collect(),
                exclude: Vec::new(),
            },
            ..ToolsetsConfig::default()
        }
    }

    #[test]
    fn known_tool_names_pass() {
        assert_eq!(check_names(&with_include(&["nc_notes_get_note"])), Ok(()));
    }

    #[test]
    fn unknown_included_tool_is_refused_with_closest_match() {
        let err = check_names(&with_include(&["nc_notes_get_nte"])).unwrap_err();
        assert_eq!(err.key, "toolsets.tools.include");
        assert!(
            err.message.contains("did you mean `nc_notes_get_note`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_excluded_tool_is_refused() {
        let mut settings = ToolsetsConfig::default();
        settings.tools.exclude = vec!["nc_webdav_delete".into()];
        let err = check_names(&settings).unwrap_err();
        assert_eq!(err.key, "toolsets.tools.exclude");
        assert!(err.message.contains("nc_webdav_delete"), "{err}");
    }

    #[test]
    fn unknown_toolset_is_refused_with_closest_match() {
        let settings = ToolsetsConfig {
            enabled: Some(vec!["notes".into(), "calender".into()]),
            ..ToolsetsConfig::default()
        };
        let err = check_names(&settings).unwrap_err();
        assert_eq!(err.key, "toolsets.enabled");
        assert!(err.message.contains("did you mean `calendar`"), "{err}");
    }
}
