//! Seeded, structure-aware mutation fuzzing of every loader: no input may panic.
//!
//! Each target starts from the real files in `data/` (or, where the project ships none of that
//! kind, from files built out of them), cuts them into small well-formed inputs (a header and a
//! few rows, one to three features, one PBF blob) and mutates those: bytes flipped, removed,
//! repeated or replaced by tokens that break parsers (`1e308`, `NaN`, `;`, a BOM, a lone
//! quote, an invalid UTF-8 byte, a huge integer in a binary header). Every input goes through
//! the loader; an error is the expected answer, a panic is a crash. The toolchain here is
//! stable Rust, so this is not coverage-guided (cargo-fuzz needs nightly); structure comes
//! from the seeds and the dictionaries instead.
//!
//! - `MOTCUA_FUZZ_SECONDS` (default 2): time per target.
//! - `MOTCUA_FUZZ_EXECS`: stop a target after this many executions instead (the long run).
//! - `MOTCUA_FUZZ_SEED` (default 1): the random seed; the same seed replays the same inputs.
//!
//! Each target prints its executions, crashes and slowest input. A crashing input is written
//! under `target/tmp/fuzz-crashes/<target>/`; copy it to `tests/fuzz_regressions/<target>/`
//! and it is run, unmutated, first in every later run. See `tests/README.md`.

use std::collections::BTreeSet;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use h3o::Resolution;
use motcua::boundary::Regions;
use motcua::graph::SpeedProfile;
use motcua::optimise::ModelKind;
use motcua::optimise::io::{MatrixRunArgs, read_problem};
use motcua::optimise::{Control, Model, SolveOptions, Solver, solve};
use motcua::population::{load_geotiff, load_h3_csv, load_point_csv, load_population};
use motcua::scenario::{Scenario, read_points};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap_or_else(|e| panic!("seed {path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Randomness and mutation

/// xorshift64*: small, fast and the same on every machine, so a seed replays a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens that break text parsers: numbers at and past the limits, separators, quotes,
/// structure characters, a BOM and bytes that are not UTF-8.
const TEXT_TOKENS: &[&[u8]] = &[
    b"1e308",
    b"-1e308",
    b"1e-320",
    b"NaN",
    b"inf",
    b"-inf",
    b"-0",
    b"0",
    b"-1",
    b"18446744073709551616",
    b"9999999999",
    b"0x10",
    b"1,5",
    b"",
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\\",
    b"\\u0000",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xe9",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"[[[[",
    b"]]]]",
    b"#",
    b"=",
    b"'''",
    b"\"\"\"",
    b"180.0000001",
    b"-90.5",
    b"200",
    b"95",
];

/// Values for binary headers: lengths and counts at the edges of their types.
const BINARY_VALUES: &[u64] = &[
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    200_000,
    u64::MAX,
];

/// How a target's inputs are mutated.
#[derive(Clone, Copy)]
enum Kind {
    /// Lines and fields: text tokens, line copies.
    Text,
    /// Headers with lengths and offsets: integers at the edges written in place.
    Binary,
}

/// Applies one to four mutations to `input`, drawing tokens from `dict` as well.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, kind: Kind, dict: &[&[u8]], other: &[u8]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at..end);
            }
            3 => {
                let token = if rng.below(2) == 0 && !dict.is_empty() {
                    *rng.pick(dict)
                } else {
                    *rng.pick(TEXT_TOKENS)
                };
                input.splice(at..at, token.iter().copied());
            }
            4 if matches!(kind, Kind::Text) => {
                // Replace a run of digits (a number, most likely) with a token.
                let start = (at..len).find(|&i| input[i].is_ascii_digit());
                if let Some(start) = start {
                    let end = (start..len)
                        .find(|&i| !(input[i].is_ascii_digit() || input[i] == b'.'))
                        .unwrap_or(len);
                    let token = *rng.pick(TEXT_TOKENS);
                    input.splice(start..end, token.iter().copied());
                }
            }
            4 | 5 if matches!(kind, Kind::Binary) && len > 0 => {
                let value = *rng.pick(BINARY_VALUES);
                let width = *rng.pick(&[1usize, 2, 4, 8]);
                let bytes = if rng.below(2) == 0 {
                    value.to_le_bytes()
                } else {
                    value.to_be_bytes()
                };
                let bytes = if bytes[0] == 0 && width < 8 && rng.below(2) == 0 {
                    &bytes[8 - width..]
                } else {
                    &bytes[..width]
                };
                let i = rng.below(len);
                for (k, b) in bytes.iter().enumerate() {
                    if let Some(slot) = input.get_mut(i + k) {
                        *slot = *b;
                    }
                }
            }
            5 | 6 if len > 0 => {
                // Repeat a line (text) or a block (binary).
                let (start, end) = match kind {
                    Kind::Text => {
                        let start = input[..at]
                            .iter()
                            .rposition(|&b| b == b'\n')
                            .map_or(0, |i| i + 1);
                        let end = input[at..]
                            .iter()
                            .position(|&b| b == b'\n')
                            .map_or(len, |i| at + i + 1);
                        (start, end)
                    }
                    Kind::Binary => (at.min(len - 1), (at + 1 + rng.below(64)).min(len)),
                };
                let copy: Vec<u8> = input[start..end].to_vec();
                let times = 1 + rng.below(3);
                for _ in 0..times {
                    input.splice(end..end, copy.iter().copied());
                }
            }
            7 => input.truncate(at),
            8 if !other.is_empty() => {
                // Splice in a piece of another input.
                let from = rng.below(other.len());
                let to = (from + 1 + rng.below(256)).min(other.len());
                input.splice(at..at, other[from..to].iter().copied());
            }
            _ => {
                if len > 0 {
                    let i = rng.below(len);
                    input[i] = *rng.pick(b"0123456789-.,;\"\n e+");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds: small well-formed inputs cut from the real files

/// A text seed: a header line and body lines; each input is the header and a few of them.
struct Lines {
    header: Vec<u8>,
    body: Vec<Vec<u8>>,
}

impl Lines {
    fn of(text: &[u8]) -> Lines {
        let mut lines = text.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec);
        let header = lines.next().unwrap_or_default();
        Lines {
            header,
            body: lines.collect(),
        }
    }

    fn sample(&self, rng: &mut Rng) -> Vec<u8> {
        let mut out = self.header.clone();
        for _ in 0..1 + rng.below(12) {
            if !self.body.is_empty() {
                let line: &Vec<u8> = rng.pick(&self.body);
                out.extend_from_slice(line);
            }
        }
        out
    }
}

/// A GeoJSON seed: one to three features of the real file, in a FeatureCollection.
fn feature_collections(path: &str, count: usize) -> Vec<Vec<u8>> {
    let root: serde_json::Value = serde_json::from_slice(&read(path)).expect("seed GeoJSON");
    let mut features: Vec<String> = root["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f.to_string())
        .collect();
    // The smallest features keep executions fast; the largest one stays as a seed too.
    features.sort_by_key(String::len);
    let largest = features.last().cloned();
    features.truncate(count);
    features.extend(largest);
    let mut out = Vec::new();
    for k in 0..features.len() {
        let chosen: Vec<&str> = features[k..features.len().min(k + 1 + k % 3)]
            .iter()
            .map(String::as_str)
            .collect();
        out.push(
            format!(
                "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
                chosen.join(",")
            )
            .into_bytes(),
        );
    }
    out
}

/// The receiving points of an area as a GeoJSON FeatureCollection (the project ships them as
/// CSV only).
fn points_geojson(csv: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("points.csv");
    std::fs::write(&path, read(csv)).expect("write");
    let points = read_points(&path).expect("shipped points load");
    let features: Vec<serde_json::Value> = points
        .iter()
        .take(6)
        .map(|p| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "id": p.id, "name": p.name, "kind": p.kind.as_str(),
                    "opening_hours": p.opening_hours, "approximate": p.approximate,
                    "address": p.address,
                },
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

/// A scenario of an area's real points, as the API and the store hold it.
fn scenario_json(csv: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("points.csv");
    std::fs::write(&path, read(csv)).expect("write");
    let mut points = read_points(&path).expect("shipped points load");
    points.truncate(4);
    serde_json::json!({
        "name": "fuzz",
        "mode": "motorbike",
        "rule": {"max_minutes": 30.0, "radius_km": 5.0, "radius_kind": "straight", "combine": "or"},
        "points": points,
    })
    .to_string()
    .into_bytes()
}

/// A small GeoTIFF of the census: the ward points of `data/` binned on a 12 x 10 grid of
/// 0.02° over Hanoi, with the georeferencing and nodata tags the loader reads.
fn census_geotiff() -> Vec<u8> {
    use tiff::encoder::{TiffEncoder, colortype};
    use tiff::tags::Tag;
    let (lon0, lat0, step, width, height) = (105.70, 21.12, 0.02, 12u32, 10u32);
    let mut grid = vec![0f32; (width * height) as usize];
    let text = String::from_utf8(read(
        "data/population/hanoi_population_2019_ward_points.csv",
    ))
    .expect("UTF-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (c_lon, c_lat, c_total) = (col("lon"), col("lat"), col("total"));
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let num = |c: usize| f.get(c).and_then(|v| v.parse::<f64>().ok());
        if let (Some(lon), Some(lat), Some(total)) = (num(c_lon), num(c_lat), num(c_total)) {
            let c = ((lon - lon0) / step).floor();
            let r = ((lat0 - lat) / step).floor();
            if (0.0..f64::from(width)).contains(&c) && (0.0..f64::from(height)).contains(&r) {
                grid[r as usize * width as usize + c as usize] += total as f32;
            }
        }
    }
    grid[0] = -9999.0;
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut tiff = TiffEncoder::new(&mut bytes).expect("encoder");
        let mut image = tiff
            .new_image::<colortype::Gray32Float>(width, height)
            .expect("image");
        let dir = image.encoder();
        dir.write_tag(Tag::Unknown(33550), &[step, step, 0.0][..])
            .expect("scale");
        dir.write_tag(Tag::Unknown(33922), &[0.0, 0.0, 0.0, lon0, lat0, 0.0][..])
            .expect("tiepoint");
        let keys: [u16; 16] = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326];
        dir.write_tag(Tag::Unknown(34735), &keys[..])
            .expect("geokeys");
        dir.write_tag(Tag::Unknown(42113), "-9999").expect("nodata");
        image.rows_per_strip(2).expect("strips");
        image.write_data(&grid).expect("pixels");
    }
    bytes.into_inner()
}

/// PBF seeds: the header blob of a real extract followed by one of its data blobs (the
/// smallest ones, so an execution decodes a few thousand entities, not the whole city).
fn pbf_blobs(path: &str, count: usize) -> Vec<Vec<u8>> {
    let bytes = read(path);
    let mut blobs: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    while at + 4 <= bytes.len() {
        let header_len =
            u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let header = &bytes[at + 4..at + 4 + header_len];
        let data_len = blob_header_datasize(header).expect("BlobHeader.datasize");
        let end = at + 4 + header_len + data_len;
        blobs.push(&bytes[at..end]);
        at = end;
    }
    let (head, data) = blobs.split_first().expect("a header blob");
    let mut data: Vec<&[u8]> = data.to_vec();
    data.sort_by_key(|b| b.len());
    data.truncate(count);
    data.into_iter().map(|d| [*head, d].concat()).collect()
}

/// Field 3 (`datasize`, a varint) of a PBF BlobHeader message.
fn blob_header_datasize(mut message: &[u8]) -> Option<usize> {
    fn varint(bytes: &mut &[u8]) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let slice: &[u8] = bytes;
            let (&b, rest) = slice.split_first()?;
            *bytes = rest;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
    while !message.is_empty() {
        let key = varint(&mut message)?;
        match key & 7 {
            0 => {
                let v = varint(&mut message)?;
                if key >> 3 == 3 {
                    return Some(v as usize);
                }
            }
            2 => {
                let n = varint(&mut message)? as usize;
                message = message.get(n..)?;
            }
            _ => return None,
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The driver

/// Silences the panic report of fuzzed inputs (they are counted and saved instead); panics on
/// other threads keep the default report.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let fuzzing = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("fuzz_"));
            if !fuzzing {
                default(info);
            }
        }));
    });
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Runs `target` on the regression inputs, the seeds and mutations of them until the time or
/// execution budget is spent; fails when any input panicked.
fn fuzz(
    name: &str,
    kind: Kind,
    dict: &[&[u8]],
    seed: impl Fn(&mut Rng) -> Vec<u8>,
    target: impl Fn(&[u8]),
) {
    quiet_panics();
    let budget = Duration::from_secs_f64(
        std::env::var("MOTCUA_FUZZ_SECONDS")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(2.0),
    );
    let max_execs = env_number("MOTCUA_FUZZ_EXECS");
    let seed_value = env_number("MOTCUA_FUZZ_SEED").unwrap_or(1);
    let mut rng = Rng((seed_value.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ fxhash(name)) | 1);

    let mut inputs: Vec<Vec<u8>> = Vec::new();
    let regressions = repo("tests/fuzz_regressions").join(name);
    if let Ok(entries) = std::fs::read_dir(&regressions) {
        let mut files: BTreeSet<PathBuf> = BTreeSet::new();
        files.extend(entries.flatten().map(|e| e.path()));
        inputs.extend(files.iter().filter_map(|p| std::fs::read(p).ok()));
    }
    let regression_count = inputs.len();

    let crash_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz-crashes")
        .join(name);
    let started = Instant::now();
    let (mut execs, mut crashes) = (0u64, 0u64);
    let mut slowest = (Duration::ZERO, 0usize);
    let mut messages: BTreeSet<String> = BTreeSet::new();
    let mut previous: Vec<u8> = Vec::new();
    loop {
        let done = match max_execs {
            Some(n) => execs >= n,
            None => started.elapsed() >= budget && execs as usize >= regression_count,
        };
        if done {
            break;
        }
        let input = if (execs as usize) < regression_count {
            inputs[execs as usize].clone()
        } else {
            let mut input = seed(&mut rng);
            // One input in sixteen goes in as cut from the real file.
            if rng.below(16) != 0 {
                mutate(&mut rng, &mut input, kind, dict, &previous);
            }
            input
        };
        let t = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
        let took = t.elapsed();
        if took > slowest.0 {
            slowest = (took, input.len());
        }
        execs += 1;
        if let Err(payload) = outcome {
            crashes += 1;
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            if messages.insert(message.clone()) {
                std::fs::create_dir_all(&crash_dir).expect("crash dir");
                let file = crash_dir.join(format!("crash-{execs}.bin"));
                std::fs::write(&file, &input).expect("save crash");
                eprintln!(
                    "{name}: panic {message:?}; input saved to {}",
                    file.display()
                );
            }
        }
        previous = input;
    }
    let seconds = started.elapsed().as_secs_f64();
    // Straight to the stream, not through the test harness's capture: the test command's
    // output shows every target's figures.
    let _ = writeln!(
        std::io::stderr().lock(),
        "fuzz {name}: {execs} executions in {seconds:.1} s ({:.0}/s), {crashes} crashes, slowest {:.1} ms ({} bytes), {regression_count} regression inputs",
        execs as f64 / seconds.max(1e-9),
        slowest.0.as_secs_f64() * 1e3,
        slowest.1,
    );
    assert_eq!(
        crashes, 0,
        "{name}: {crashes} inputs panicked: {messages:?}"
    );
}

/// A stable hash of the target name, so each target draws its own inputs from one seed.
fn fxhash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A file in a per-thread temporary folder holding `bytes` (the loaders read paths). The folder
/// is in memory (`/dev/shm`) where the machine has one: writing a file per execution to disk
/// would cost more than most loaders do.
fn as_file(name: &str, bytes: &[u8]) -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::Builder::new()
            .prefix("motcua-fuzz")
            .tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .expect("temp dir");
    }
    DIR.with(|dir| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write input");
        path
    })
}

// ---------------------------------------------------------------------------------------------
// Targets

#[test]
fn fuzz_points_csv() {
    let urban = Lines::of(&read("data/areas/hanoi-urban/receiving_points.csv"));
    let central = Lines::of(&read("data/areas/hanoi-central/receiving_points.csv"));
    fuzz(
        "fuzz_points_csv",
        Kind::Text,
        &[
            b"head_office",
            b"ward_desk",
            b"approximate",
            b"id,name,lon,lat\n",
        ],
        |rng| {
            if rng.below(2) == 0 {
                urban.sample(rng)
            } else {
                central.sample(rng)
            }
        },
        |input| {
            let _ = read_points(&as_file("points.csv", input));
        },
    );
}

#[test]
fn fuzz_points_geojson() {
    let seeds = [
        points_geojson("data/areas/hanoi-urban/receiving_points.csv"),
        points_geojson("data/areas/hanoi-central/receiving_points.csv"),
    ];
    fuzz(
        "fuzz_points_geojson",
        Kind::Text,
        &[
            b"\"Point\"",
            b"\"coordinates\"",
            b"\"features\"",
            b"\"kind\":\"x\"",
        ],
        |rng| rng.pick(&seeds).clone(),
        |input| {
            let _ = read_points(&as_file("points.geojson", input));
        },
    );
}

#[test]
fn fuzz_population_point_csv() {
    let census = Lines::of(&read(
        "data/population/hanoi_population_2019_ward_points.csv",
    ));
    fuzz(
        "fuzz_population_point_csv",
        Kind::Text,
        &[
            b"lon,lat,population\n",
            b"lon;lat;population\n",
            b"105.85",
            b"21.03",
        ],
        |rng| census.sample(rng),
        |input| {
            let path = as_file("census.csv", input);
            let _ = load_point_csv(&path, Resolution::Nine);
            let _ = load_population(&path, Resolution::Eight);
        },
    );
}

#[test]
fn fuzz_population_h3_csv() {
    let grid = Lines::of(&read("data/population/hanoi_population_2019_h3r9.csv"));
    fuzz(
        "fuzz_population_h3_csv",
        Kind::Text,
        &[
            b"8941430920bffff",
            b"8f2830828052d25",
            b"0",
            b"h3;population\n",
        ],
        |rng| grid.sample(rng),
        |input| {
            let path = as_file("grid.csv", input);
            let _ = load_h3_csv(&path, Resolution::Nine);
            let _ = load_h3_csv(&path, Resolution::Seven);
            let _ = load_population(&path, Resolution::Nine);
        },
    );
}

#[test]
fn fuzz_population_geotiff() {
    let seed = census_geotiff();
    fuzz(
        "fuzz_population_geotiff",
        Kind::Binary,
        &[b"II*\0", b"MM\0*", b"nan", b"1e308"],
        |_| seed.clone(),
        |input| {
            let _ = load_geotiff(&as_file("census.tif", input), Resolution::Nine);
        },
    );
}

#[test]
fn fuzz_boundaries_geojson() {
    let mut seeds = feature_collections("data/boundaries/hanoi_wards_2025.geojson", 6);
    seeds.extend(feature_collections(
        "data/boundaries/hanoi_districts_2019.geojson",
        3,
    ));
    fuzz(
        "fuzz_boundaries_geojson",
        Kind::Text,
        &[
            b"\"Polygon\"",
            b"\"MultiPolygon\"",
            b"\"LineString\"",
            b"[105.8,21.0]",
            b"\"name\"",
        ],
        |rng| rng.pick(&seeds).clone(),
        |input| {
            if let Ok(regions) =
                Regions::from_geojson_file(&as_file("wards.geojson", input), "name")
            {
                let _ = regions.locate(105.85, 21.03);
            }
        },
    );
}

/// Reads the problem from the three files and, when it is small, solves it with the heuristic
/// (the solver meets the weights and costs the reader let through).
fn read_and_solve(costs: &[u8], demand: &[u8], candidates: Option<&[u8]>) {
    let mut args = MatrixRunArgs::new(
        as_file("costs.csv", costs),
        as_file("demand.csv", demand),
        ModelKind::PMedian,
    );
    args.candidates_file = candidates.map(|c| as_file("candidates.csv", c));
    let Ok(problem) = read_problem(&args) else {
        return;
    };
    if problem.n_demand() > 64 || problem.n_candidates() > 64 {
        return;
    }
    let options = SolveOptions {
        solver: Solver::Heuristic,
        restarts: 1,
        ..SolveOptions::default()
    };
    for model in [
        Model::Mclp {
            p: 1,
            radius: 1800.0,
        },
        Model::PMedian {
            p: 1,
            unassigned_cost: Some(1e6),
        },
        Model::PCenter { p: 1 },
    ] {
        let _ = solve(&problem, &model, &options, &Control::none());
    }
}

#[test]
fn fuzz_cost_matrix_csv() {
    let costs = Lines::of(&read("tests/fixtures/optimise/costs.csv"));
    let demand = read("tests/fixtures/optimise/demand.csv");
    let candidates = read("tests/fixtures/optimise/candidates.csv");
    fuzz(
        "fuzz_cost_matrix_csv",
        Kind::Text,
        &[
            b"demand_id,candidate_id,cost\n",
            b"cell_a",
            b"school",
            b"ward_office",
        ],
        |rng| costs.sample(rng),
        |input| {
            read_and_solve(input, &demand, None);
            read_and_solve(input, &demand, Some(&candidates));
        },
    );
}

#[test]
fn fuzz_demand_csv() {
    let costs = read("tests/fixtures/optimise/costs.csv");
    let demand = Lines::of(&read("tests/fixtures/optimise/demand.csv"));
    let candidates = Lines::of(&read("tests/fixtures/optimise/candidates.csv"));
    fuzz(
        "fuzz_demand_csv",
        Kind::Text,
        &[
            b"demand_id,weight\n",
            b"candidate_id,capacity\n",
            b"cell_a",
            b"cell_b",
        ],
        |rng| {
            // Mutate demand.csv, then candidates.csv after a NUL that splits them.
            let mut both = demand.sample(rng);
            both.push(0);
            both.extend(candidates.sample(rng));
            both
        },
        |input| {
            let split = input.iter().position(|&b| b == 0).unwrap_or(input.len());
            let (demand, candidates) =
                (&input[..split], input.get(split + 1..).unwrap_or_default());
            read_and_solve(&costs, demand, Some(candidates));
        },
    );
}

#[test]
fn fuzz_profile_toml() {
    let seeds: Vec<Vec<u8>> = ["motorbike", "car", "bicycle", "walk"]
        .iter()
        .map(|m| read(&format!("data/profiles/{m}.toml")))
        .collect();
    fuzz(
        "fuzz_profile_toml",
        Kind::Text,
        &[
            b"[speeds]",
            b"[access]",
            b"motorway = 0",
            b"= -1",
            b"= 1e308",
            b"= \"x\"",
        ],
        |rng| rng.pick(&seeds).clone(),
        |input| {
            let _ = SpeedProfile::load(&as_file("profile.toml", input));
        },
    );
}

#[test]
fn fuzz_scenario_json() {
    let seeds = [
        scenario_json("data/areas/hanoi-urban/receiving_points.csv"),
        scenario_json("data/areas/hanoi-central/receiving_points.csv"),
    ];
    fuzz(
        "fuzz_scenario_json",
        Kind::Text,
        &[
            b"\"walk\"",
            b"\"and\"",
            b"\"network\"",
            b"\"max_minutes\":",
            b"\"lon\":",
        ],
        |rng| rng.pick(&seeds).clone(),
        |input| {
            if let Ok(scenario) = serde_json::from_slice::<Scenario>(input) {
                let _ = scenario.validate();
            }
        },
    );
}

#[test]
fn fuzz_pbf() {
    let mut seeds = pbf_blobs("data/areas/hanoi-urban/roads.osm.pbf", 2);
    seeds.extend(pbf_blobs("data/areas/hanoi-central/roads.osm.pbf", 2));
    fuzz(
        "fuzz_pbf",
        Kind::Binary,
        &[b"OSMHeader", b"OSMData", b"DenseNodes", b"highway"],
        |rng| rng.pick(&seeds).clone(),
        |input| {
            let _ = motcua::ingest::read_pbf_bytes(input, "fuzz.osm.pbf");
        },
    );
}
