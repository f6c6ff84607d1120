#!/usr/bin/env python3
"""Writes the receiving points of each study area (data/areas/*/receiving_points.csv).

Run from the repository root: python3 data/scripts/make_receiving_points.py SHARED_RAW_DIR

No dataset of one-stop desk or People's Committee office coordinates exists in the sources, so:
* each of the 126 wards/communes in force since 1 July 2025 gets one ward desk at its geocoded
  ward point (vietnamadminunits `hanoi_wards_2025.csv`) — approximate by construction;
* the Centre's head office (197 Nghi Tàm, Yên Phụ) and its temporary seat (Liên cơ building,
  258 Võ Chí Công, Xuân La) are placed on the OpenStreetMap geometry of those streets (2025
  central extract) by the house-number order of the side lanes; also approximate.
An area keeps the points inside its study extent grown by 0.05° (about 5 km), so that residents
near the edge can still count a desk just outside it for the 5 km radius.
"""
import csv
import sys
import tomllib
from pathlib import Path

HOURS_DESK = "Mo-Fr 08:00-17:00; Sa 08:00-12:00"
HEAD_OFFICES = [
    ("hq", "Trung tâm Phục vụ hành chính công Hà Nội (trụ sở chính)", "head_office",
     105.8375, 21.0555, HOURS_DESK, "197 Nghi Tàm, phường Yên Phụ"),
    ("hq-temp", "Trung tâm Phục vụ hành chính công Hà Nội (trụ sở tạm, tòa Liên cơ)", "head_office",
     105.8062, 21.0652, HOURS_DESK, "258 Võ Chí Công, phường Xuân La"),
]
MARGIN_DEG = 0.05


def main(raw: Path) -> None:
    wards = list(csv.DictReader(open(raw / "vietnamadminunits" / "hanoi_wards_2025.csv", encoding="utf-8")))
    rows = [dict(id=i, name=n, kind=k, lon=lon, lat=lat, opening_hours=h, approximate="true", address=a)
            for (i, n, k, lon, lat, h, a) in HEAD_OFFICES]
    for w in sorted(wards, key=lambda w: w["wardCode"]):
        rows.append(dict(id=f"ward-{w['wardCode']}", name=f"Bộ phận Một cửa {w['ward']}", kind="ward_desk",
                         lon=float(w["wardLon"]), lat=float(w["wardLat"]), opening_hours=HOURS_DESK,
                         approximate="true", address=w["ward"]))
    for area in sorted(Path("data/areas").iterdir()):
        manifest = tomllib.loads((area / "area.toml").read_text(encoding="utf-8"))
        w, s, e, n = manifest["extent"]
        keep = [r for r in rows if w - MARGIN_DEG <= r["lon"] <= e + MARGIN_DEG
                and s - MARGIN_DEG <= r["lat"] <= n + MARGIN_DEG]
        with open(area / "receiving_points.csv", "w", newline="", encoding="utf-8") as f:
            out = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
            out.writeheader()
            out.writerows(keep)
        print(f"{area.name}: {len(keep)} receiving points")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/raw"))
