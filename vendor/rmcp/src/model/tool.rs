use std::{borrow::Cow, sync::Arc};

#[cfg(feature = "server")]
use schemars::JsonSchema;
/// Tools represent a routine that a server can execute
/// Tool calls represent requests from the client to execute one
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Icon, JsonObject, MetaObject, SerializedJson};

/// A tool that can be used by a model.
#[derive(Default, Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Tool {
    /// The name of the tool
    pub name: Cow<'static, str>,
    /// A human-readable title for the tool
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A description of what the tool does
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Cow<'static, str>>,
    /// A JSON Schema object defining the expected parameters for the tool
    pub input_schema: Arc<JsonObject>,
    /// An optional JSON Schema object defining the structure of the tool's output
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Arc<JsonObject>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Optional additional tool information.
    pub annotations: Option<ToolAnnotations>,
    /// Optional list of icons for the tool
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// Optional additional metadata for this tool
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<MetaObject>,
    /// The input schema already serialised, served in place of `input_schema` (set with
    /// [`Tool::serialize_schemas`], never by deserialisation). While it is set, `input_schema`
    /// is an empty object.
    #[serde(skip)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub input_schema_json: Option<SerializedJson>,
    /// The output schema already serialised, served in place of `output_schema`; set only for
    /// schemas of `"type": "object"`, and `output_schema` is `None` while it is set.
    #[serde(skip)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub output_schema_json: Option<SerializedJson>,
}

/// Written by hand for the serialised schemas: the same fields, names and order as the derive
/// gave, with `inputSchema` / `outputSchema` taken from `input_schema_json` /
/// `output_schema_json` when they are set.
impl Serialize for Tool {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Tool", 8)?;
        state.serialize_field("name", &self.name)?;
        match &self.title {
            Some(title) => state.serialize_field("title", title)?,
            None => state.skip_field("title")?,
        }
        match &self.description {
            Some(description) => state.serialize_field("description", description)?,
            None => state.skip_field("description")?,
        }
        match &self.input_schema_json {
            Some(json) => state.serialize_field("inputSchema", json)?,
            None => state.serialize_field("inputSchema", &self.input_schema)?,
        }
        match (&self.output_schema_json, &self.output_schema) {
            (Some(json), _) => state.serialize_field("outputSchema", json)?,
            (None, Some(schema)) => state.serialize_field("outputSchema", schema)?,
            (None, None) => state.skip_field("outputSchema")?,
        }
        match &self.annotations {
            Some(annotations) => state.serialize_field("annotations", annotations)?,
            None => state.skip_field("annotations")?,
        }
        match &self.icons {
            Some(icons) => state.serialize_field("icons", icons)?,
            None => state.skip_field("icons")?,
        }
        match &self.meta {
            Some(meta) => state.serialize_field("_meta", meta)?,
            None => state.skip_field("_meta")?,
        }
        state.end()
    }
}

/// Additional properties describing a Tool to clients.
///
/// NOTE: all properties in ToolAnnotations are **hints**.
/// They are not guaranteed to provide a faithful description of
/// tool behavior (including descriptive properties like `title`).
///
/// Clients should never make tool use decisions based on ToolAnnotations
/// received from untrusted servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ToolAnnotations {
    /// A human-readable title for the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,

    /// If true, the tool does not modify its environment.
    ///
    /// Default: false
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,

    /// If true, the tool may perform destructive updates to its environment.
    /// If false, the tool performs only additive updates.
    ///
    /// (This property is meaningful only when `readOnlyHint == false`)
    ///
    /// Default: true
    /// A human-readable description of the tool's purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,

    /// If true, calling the tool repeatedly with the same arguments
    /// will have no additional effect on the its environment.
    ///
    /// (This property is meaningful only when `readOnlyHint == false`)
    ///
    /// Default: false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,

    /// If true, this tool may interact with an "open world" of external
    /// entities. If false, the tool's domain of interaction is closed.
    /// For example, the world of a web search tool is open, whereas that
    /// of a memory tool is not.
    ///
    /// Default: true
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl ToolAnnotations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Create a new ToolAnnotations with all fields specified
    pub fn from_raw(
        title: Option<String>,
        read_only_hint: Option<bool>,
        destructive_hint: Option<bool>,
        idempotent_hint: Option<bool>,
        open_world_hint: Option<bool>,
    ) -> Self {
        ToolAnnotations {
            title,
            read_only_hint,
            destructive_hint,
            idempotent_hint,
            open_world_hint,
        }
    }

    pub fn with_title<T>(title: T) -> Self
    where
        T: Into<String>,
    {
        ToolAnnotations {
            title: Some(title.into()),
            ..Self::default()
        }
    }
    pub fn read_only(self, read_only: bool) -> Self {
        ToolAnnotations {
            read_only_hint: Some(read_only),
            ..self
        }
    }
    pub fn destructive(self, destructive: bool) -> Self {
        ToolAnnotations {
            destructive_hint: Some(destructive),
            ..self
        }
    }
    pub fn idempotent(self, idempotent: bool) -> Self {
        ToolAnnotations {
            idempotent_hint: Some(idempotent),
            ..self
        }
    }
    pub fn open_world(self, open_world: bool) -> Self {
        ToolAnnotations {
            open_world_hint: Some(open_world),
            ..self
        }
    }

    /// If not set, defaults to true.
    pub fn is_destructive(&self) -> bool {
        self.destructive_hint.unwrap_or(true)
    }

    /// If not set, defaults to false.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent_hint.unwrap_or(false)
    }
}

impl Tool {
    /// Create a new tool with the given name and description
    pub fn new<N, D, S>(name: N, description: D, input_schema: S) -> Self
    where
        N: Into<Cow<'static, str>>,
        D: Into<Cow<'static, str>>,
        S: Into<Arc<JsonObject>>,
    {
        Tool {
            name: name.into(),
            title: None,
            description: Some(description.into()),
            input_schema: input_schema.into(),
            output_schema: None,
            annotations: None,
            icons: None,
            meta: None,
            input_schema_json: None,
            output_schema_json: None,
        }
    }

    /// Create a new tool with just a name and input schema (no description)
    pub fn new_with_raw<N, S>(
        name: N,
        description: Option<Cow<'static, str>>,
        input_schema: S,
    ) -> Self
    where
        N: Into<Cow<'static, str>>,
        S: Into<Arc<JsonObject>>,
    {
        Tool {
            name: name.into(),
            title: None,
            description,
            input_schema: input_schema.into(),
            output_schema: None,
            annotations: None,
            icons: None,
            meta: None,
            input_schema_json: None,
            output_schema_json: None,
        }
    }

    /// Set the human-readable title
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Set the output schema from a raw value
    pub fn with_raw_output_schema(mut self, output_schema: Arc<JsonObject>) -> Self {
        self.output_schema = Some(output_schema);
        self
    }

    /// Set the annotations
    pub fn with_annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }

    /// Set the icons
    pub fn with_icons(mut self, icons: Vec<Icon>) -> Self {
        self.icons = Some(icons);
        self
    }

    /// Set the metadata
    pub fn with_meta(mut self, meta: MetaObject) -> Self {
        self.meta = Some(meta);
        self
    }

    pub fn annotate(self, annotations: ToolAnnotations) -> Self {
        Tool {
            annotations: Some(annotations),
            ..self
        }
    }

    /// Set the output schema using a type that implements JsonSchema
    #[cfg(feature = "server")]
    pub fn with_output_schema<T: JsonSchema + 'static>(mut self) -> Self {
        self.output_schema = Some(crate::handler::server::tool::schema_for_output::<T>());
        self
    }

    /// Set the input schema using a type that implements JsonSchema
    #[cfg(feature = "server")]
    pub fn with_input_schema<T: JsonSchema + 'static>(mut self) -> Self {
        self.input_schema = crate::handler::server::tool::schema_for_input::<T>()
            .unwrap_or_else(|e| panic!("Invalid input schema for tool '{}': {}", self.name, e));
        self
    }

    /// Get the schema as json value
    pub fn schema_as_json_value(&self) -> Value {
        match &self.input_schema_json {
            Some(json) => json.to_value().unwrap_or_default(),
            None => Value::Object(self.input_schema.as_ref().clone()),
        }
    }

    /// Serialise the schemas once, to be served as they are: a server with many tools then
    /// holds their JSON text instead of `Value` trees, and `tools/list` copies the text.
    /// `serialized` maps a schema to its text, or `None` to keep that schema a tree (a server
    /// can share one text among tools with equal schemas). An output schema whose `type` is
    /// not `"object"` stays a tree, so that
    /// [`ServerResult::strip_non_object_output_for_legacy_peer`](super::ServerResult) still sees
    /// it.
    pub fn serialize_schemas(
        &mut self,
        mut serialized: impl FnMut(&JsonObject) -> Option<SerializedJson>,
    ) {
        if self.input_schema_json.is_none() {
            if let Some(json) = serialized(&self.input_schema) {
                self.input_schema_json = Some(json);
                self.input_schema = Arc::default();
            }
        }
        let is_object = self
            .output_schema
            .as_ref()
            .is_some_and(|schema| schema.get("type").and_then(Value::as_str) == Some("object"));
        if let Some(json) = self
            .output_schema
            .as_deref()
            .filter(|_| is_object)
            .and_then(&mut serialized)
        {
            self.output_schema_json = Some(json);
            self.output_schema = None;
        }
    }

    /// The input schema for SEP-2243 header validation, which only looks for `x-mcp-header`
    /// annotations: parsed from the serialised text only when that text has one.
    pub fn input_schema_for_headers(&self) -> Arc<JsonObject> {
        match &self.input_schema_json {
            Some(json) if json.get().contains("x-mcp-header") => match json.to_value() {
                Ok(Value::Object(object)) => Arc::new(object),
                _ => Arc::default(),
            },
            _ => self.input_schema.clone(),
        }
    }
}
