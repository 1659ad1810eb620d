//! `stormlab mcp`: the command line's powers for AI assistants, over the Model Context
//! Protocol on stdio (the `rmcp` crate speaks the protocol; [`tools`] does the work).
//!
//! The server is bound to one model file and, optionally, one output folder: it reads and
//! writes nothing else, runs offline, and answers a bad request with a protocol error (an
//! unknown tool, arguments that do not fit) or a tool result marked as an error (a model
//! that does not check, a scenario that cannot run) — never by ending.

mod framing;
pub mod tools;

use std::sync::Arc;

use rmcp::ServiceExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};

pub use tools::Workspace;

/// The MCP server: the workspace its tools work on.
#[derive(Clone, Debug)]
pub struct Server {
    workspace: Arc<Workspace>,
}

impl Server {
    /// A server working on `workspace`.
    pub fn new(workspace: Workspace) -> Self {
        Self {
            workspace: Arc::new(workspace),
        }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("stormlab", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Stormlab model {}: list_elements, check, run_scenario and run_tests read it; \
                 apply_ops edits it (ids from list_elements); mermaid draws it; export_protos, \
                 export_asyncapi, export_eventcatalog and export_tests write under the output \
                 folder; diff compares an older version's contracts.",
                self.workspace.model.display()
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = tools::TOOLS
            .iter()
            .map(|t| {
                let schema = match (t.schema)() {
                    serde_json::Value::Object(map) => map,
                    _ => serde_json::Map::new(),
                };
                Tool::new(t.name, t.description, Arc::new(schema))
            })
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let workspace = self.workspace.clone();
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        // Scenario runs take a while: off the protocol's threads. A panic in a tool (none is
        // known) becomes an error answer, not the end of the server.
        let answer =
            tokio::task::spawn_blocking(move || tools::call(&workspace, &name, &args)).await;
        match answer {
            Ok(Ok(value)) => Ok(CallToolResult::structured(value).into()),
            Ok(Err(tools::Failure::Failed(value))) => {
                Ok(CallToolResult::structured_error(value).into())
            }
            Ok(Err(tools::Failure::BadRequest(message))) => {
                Err(ErrorData::invalid_params(message, None))
            }
            Err(e) => Err(ErrorData::internal_error(
                format!("the tool stopped: {e}"),
                None,
            )),
        }
    }
}

/// Serves `workspace` on stdin/stdout until the client closes stdin.
pub fn serve(workspace: Workspace) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (input, output, written) = framing::filtered(tokio::io::stdin(), tokio::io::stdout());
        let running = Server::new(workspace).serve((input, output)).await?;
        running.waiting().await?;
        // The last answers still on their way to stdout.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), written).await;
        anyhow::Ok(())
    })
}
