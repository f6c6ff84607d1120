//! The flags of `motcua serve`, ready for the CLI to embed (`Serve(ServeArgs)` in its
//! subcommand enum), so flag names, defaults and environment variables live next to the server.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::scenario::AreaOptions;
use crate::server::{DEFAULT_MAX_RUNNING_OPTIMISATIONS, ServeConfig};

/// Serve the web app and the JSON API.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// TCP port to listen on.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; the default keeps the server private to this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Study area to serve: hanoi (the whole city, default), hanoi-urban or hanoi-central.
    #[arg(long, default_value = crate::scenario::DEFAULT_AREA)]
    pub area: String,
    /// Folder of the study-area data (default: the repository's data/).
    #[arg(long)]
    pub area_data_dir: Option<PathBuf>,
    /// Folder for cached road graphs (default: none, graphs are built at start).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Answer questions that name no time at the weekday morning peak (Monday 08:00): that
    /// hour's speed band, on the same graph.
    #[arg(long)]
    pub peak: bool,
    /// Where saved scenarios (motcua.sqlite) and the write token live.
    #[arg(long, default_value = "motcua-data")]
    pub data_dir: PathBuf,
    /// Folder served at / (default: the repository's web/).
    #[arg(long)]
    pub web_dir: Option<PathBuf>,
    /// Write token for changes (default: the one in <data-dir>/token, made on first start).
    #[arg(long, env = "MOTCUA_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Origin allowed to call the API from another site, e.g. http://localhost:5173 (repeatable;
    /// none by default).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Optimisation runs allowed at once.
    #[arg(long, default_value_t = DEFAULT_MAX_RUNNING_OPTIMISATIONS)]
    pub max_optimisations: usize,
    /// The OSM file (any form --osm reads) the planner's "Load offices from OpenStreetMap"
    /// searches, instead of the area's roads file: the shipped roads map no offices.
    #[arg(long, value_name = "FILE")]
    pub points_osm: Option<PathBuf>,
}

impl ServeArgs {
    pub fn into_config(self) -> ServeConfig {
        let defaults = ServeConfig::default();
        let mut area_options = AreaOptions::default();
        if let Some(dir) = self.area_data_dir {
            area_options.data_dir = dir;
        }
        area_options.cache_dir = self.cache_dir.or(area_options.cache_dir);
        area_options.peak = self.peak;
        area_options.offices_osm = self.points_osm;
        ServeConfig {
            port: self.port,
            bind: self.bind,
            area: self.area,
            area_options,
            data_dir: self.data_dir,
            web_dir: self.web_dir.unwrap_or(defaults.web_dir),
            token: self.token,
            cors_origins: self.cors_origins,
            max_running_optimisations: self.max_optimisations,
            limits: defaults.limits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn defaults_match_the_documented_ones() -> Result<(), clap::Error> {
        let config = Cli::try_parse_from(["motcua"])?.serve.into_config();
        assert_eq!(config.port, 8080);
        assert_eq!(config.bind.to_string(), "127.0.0.1");
        assert_eq!(config.area, crate::scenario::DEFAULT_AREA);
        assert_eq!(config.data_dir, PathBuf::from("motcua-data"));
        assert!(config.web_dir.ends_with("web"));
        assert!(config.cors_origins.is_empty());
        Ok(())
    }

    #[test]
    fn flags_override_defaults() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from([
            "motcua",
            "--port",
            "9000",
            "--bind",
            "0.0.0.0",
            "--data-dir",
            "/tmp/x",
            "--cors-origin",
            "http://a.example",
            "--cors-origin",
            "http://b.example",
            "--token",
            "abcdefabcdefabcdef",
        ])?;
        let config = cli.serve.into_config();
        assert_eq!(config.port, 9000);
        assert_eq!(config.cors_origins.len(), 2);
        assert_eq!(config.token.as_deref(), Some("abcdefabcdefabcdef"));
        assert!(Cli::try_parse_from(["motcua", "--port", "http"]).is_err());
        Ok(())
    }

    #[test]
    fn the_offices_file_reaches_the_area_options() -> Result<(), clap::Error> {
        let config = Cli::try_parse_from(["motcua"])?.serve.into_config();
        assert_eq!(config.area_options.offices_osm, None);
        let cli = Cli::try_parse_from(["motcua", "--points-osm", "offices.osm.pbf"])?;
        let config = cli.serve.into_config();
        assert_eq!(
            config.area_options.offices_osm,
            Some(PathBuf::from("offices.osm.pbf"))
        );
        Ok(())
    }
}
