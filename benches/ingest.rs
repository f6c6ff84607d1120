//! Reading the same roads in each form `--osm` reads: the central extract as shipped (PBF) and
//! written as OSM XML (plain and bzip2) and as Overpass JSON. Target: XML within 3x of PBF.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use motcua::ingest::overpass::write_overpass_json;
use motcua::ingest::read_osm;
use motcua::ingest::xml::write_xml;

fn central_forms(c: &mut Criterion) {
    let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/areas/hanoi-central/roads.osm.pbf");
    let osm = read_osm(&pbf).expect("central extract reads");
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut xml = Vec::new();
    write_xml(&osm, &mut xml).expect("xml");
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(&xml).expect("bzip2");
    let mut json = Vec::new();
    write_overpass_json(&osm, &mut json).expect("json");
    let files = [
        ("pbf", pbf.clone()),
        ("xml", dir.path().join("central.osm")),
        ("xml_bz2", dir.path().join("central.osm.bz2")),
        ("overpass_json", dir.path().join("central.json")),
    ];
    std::fs::write(&files[1].1, &xml).expect("write xml");
    std::fs::write(&files[2].1, bz.finish().expect("bzip2")).expect("write bz2");
    std::fs::write(&files[3].1, &json).expect("write json");
    let mut group = c.benchmark_group("hanoi-central-read");
    group.sample_size(10);
    for (name, path) in &files {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let back = read_osm(black_box(path)).unwrap();
                assert_eq!(back.ways.len(), osm.ways.len());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, central_forms);
criterion_main!(benches);
