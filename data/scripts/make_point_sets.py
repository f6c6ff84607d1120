#!/usr/bin/env python3
"""Writes the shipped point sets (data/point_sets/*.csv): the Decision's networks of receiving points.

Run from the repository root: python3 data/scripts/make_point_sets.py SHARED_RAW_DIR

No dataset of office coordinates exists in the sources, so every point is approximate and
says where its position comes from (column `position_source`):
* desks-2024: the one-stop desks before the reorganisation: one per pre-July-2025 ward (the
  526 geocoded legacy ward points of vietnamadminunits `hanoi_wards_legacy_pre2025-07.csv`,
  each naming the 2025 ward or wards it became part of, from `hanoi_ward_conversion_2025.csv`)
  and one per former district at the district's geocoded point (`districtLat/districtLon`);
* branches-2025: the Centre's head office and its temporary seat, and 30 branches, one per
  former district, at the same district points;
* communes-2025: the head office and its temporary seat, and one point per current ward and
  commune (126) at its geocoded ward point (`hanoi_wards_2025.csv`): today's set.
The head office (197 Nghi Tàm, Yên Phụ) and its temporary seat (Liên cơ building, 258 Võ Chí
Công, Xuân La) are placed on the OpenStreetMap geometry of those streets (2025 central extract)
by the house-number order of the side lanes.
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path

# Assumption until the Centre publishes its own: the usual office hours of ward desks.
HOURS_DESK = "Mo-Fr 08:00-17:00; Sa 08:00-12:00"
OSM_STREET = "placed on the OSM street by house numbers (2025 extract)"
HEAD_OFFICES = [
    dict(id="hq", name="Trung tâm Phục vụ hành chính công Hà Nội (trụ sở chính)", kind="head_office",
         lon=105.8375, lat=21.0555, address="197 Nghi Tàm, phường Yên Phụ", position_source=OSM_STREET),
    dict(id="hq-temp", name="Trung tâm Phục vụ hành chính công Hà Nội (trụ sở tạm, tòa Liên cơ)",
         kind="head_office", lon=105.8062, lat=21.0652, address="258 Võ Chí Công, phường Xuân La",
         position_source=OSM_STREET),
]
FIELDS = ["id", "name", "kind", "lon", "lat", "opening_hours", "approximate", "address", "position_source"]
LEGACY_WARD = "legacy ward point, vietnamadminunits 1.0.4 (pre-July-2025 list)"
DISTRICT = "district point, vietnamadminunits 1.0.4 (districtLat/districtLon)"
WARD_2025 = "ward point, vietnamadminunits 1.0.4 (2025 list)"


def row(**kw):
    out = dict(opening_hours=HOURS_DESK, approximate="true")
    out.update(kw)
    return out


def write(name, rows):
    path = Path("data/point_sets") / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        out.writeheader()
        for r in rows:
            out.writerow({k: r.get(k, "") for k in FIELDS})
    print(f"{name}: {len(rows)} points")


def main(raw: Path) -> None:
    units = raw / "vietnamadminunits"
    wards = list(csv.DictReader(open(units / "hanoi_wards_2025.csv", encoding="utf-8")))
    legacy = list(csv.DictReader(open(units / "hanoi_wards_legacy_pre2025-07.csv", encoding="utf-8")))
    conversion = list(csv.DictReader(open(units / "hanoi_ward_conversion_2025.csv", encoding="utf-8")))
    new_name = {w["wardKey"]: w["ward"] for w in wards}
    became = defaultdict(list)
    for c in conversion:
        old = c["old_key(province_district_ward)"].split("_", 1)[1]  # district_ward
        name = new_name[c["new_ward_key"]]
        if name not in became[old]:
            became[old].append(name)

    districts = {}
    for w in legacy:
        districts.setdefault(w["districtCode"], w)

    desks = []
    for w in sorted(legacy, key=lambda w: w["wardCode"]):
        now = became.get(f"{w['districtKey']}_{w['wardKey']}", [])
        address = f"{w['ward']}, {w['district']}"
        if now:
            address += " (nay thuộc " + ", ".join(now) + ")"
        desks.append(row(id=f"desk-{w['wardCode']}", name=f"Bộ phận Một cửa {w['ward']} ({w['district']})",
                         kind="ward_desk", lon=float(w["wardLon"]), lat=float(w["wardLat"]),
                         address=address, position_source=LEGACY_WARD))
    for code, d in sorted(districts.items()):
        desks.append(row(id=f"district-desk-{code}", name=f"Bộ phận Một cửa {d['district']}",
                         kind="district_desk", lon=float(d["districtLon"]), lat=float(d["districtLat"]),
                         address=d["district"], position_source=DISTRICT))
    write("desks-2024", desks)

    head = [row(**h) for h in HEAD_OFFICES]
    branches = [row(id=f"branch-{code}",
                    name=f"Chi nhánh Trung tâm Phục vụ hành chính công — khu vực {d['district']}",
                    kind="branch", lon=float(d["districtLon"]), lat=float(d["districtLat"]),
                    address=f"khu vực {d['district']} cũ", position_source=DISTRICT)
                for code, d in sorted(districts.items())]
    write("branches-2025", head + branches)

    communes = [row(id=f"ward-{w['wardCode']}", name=f"Điểm tiếp nhận {w['ward']}", kind="ward_desk",
                    lon=float(w["wardLon"]), lat=float(w["wardLat"]), address=w["ward"],
                    position_source=WARD_2025)
                for w in sorted(wards, key=lambda w: w["wardCode"])]
    write("communes-2025", head + communes)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/raw"))
