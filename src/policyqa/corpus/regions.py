"""The one list of regions the corpus covers by name: Shandong, its cities and named districts.

Owns that list (read once from ``data/shandong_regions.tsv``) and the id slug of each region.
Never reads a document or a question: `corpus.metadata` finds regions in issuers and titles,
`rules.match` decides which rule applies where, both from the names kept here.
"""

from __future__ import annotations

from policyqa.resources import data_file

PROVINCE = "山东"
PROVINCE_SLUG = "shandong"


def _load(level: str) -> dict[str, str]:
    """Name → slug of the regions of one level, in the order of the data file."""
    text = data_file("shandong_regions.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return {name: slug for name, slug, row_level in rows if row_level == level}


# The sixteen prefecture-level cities (济南 → jinan), without the 市.
SHANDONG_CITIES: dict[str, str] = _load("city")
# Districts and counties whose documents get their own id slug (文登 → wendeng).
DISTRICT_SLUGS: dict[str, str] = _load("district")


def region_slug(region: str) -> str | None:
    """The slug a document id of `region` starts with: its district's, else its city's, else
    'shandong' for a province-level region; None for a region outside the list."""
    for table in (DISTRICT_SLUGS, SHANDONG_CITIES):
        slug = next((s for name, s in table.items() if name in region), None)
        if slug is not None:
            return slug
    return PROVINCE_SLUG if region.startswith(PROVINCE) else None
