"""Deterministic, realistic work orders for the two demo grid companies.

Built for speed as well as realism: benchmarks load a million orders, so each order
costs a couple of dozen ``random()`` calls and table look-ups, and everything that
can be worked out once per company and seed (streets, their positions, postcodes,
stages) is worked out before the first order is yielded.
"""

import math
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from core.demo import texts
from core.demo.names import FIRST_NAMES, LAST_NAMES
from core.demo.places import Company, Town, company
from core.demo.streets import sample_streets

# Norwegian mobile ranges that libphonenumber accepts as mobile (42x, 43x, 44x, 49x are not).
MOBILE_PREFIXES = ("40", "41", "45", "46", "47", "48", "90", "91", "92", "93", "94", "95",
                   "96", "97", "98", "99")
METERING_POINT_PREFIX = "7070575000"  # Elhub GS1 prefix: 10 digits + 7 digits + check digit
ISSUE_TYPES = ("Målerbytte", "Tilleggsarbeid", "Avvik")

# Proportions the tests hold the generator to.
MOBILE_MISSING = 0.05
MOBILE_INVALID = 0.03
SMS_OPT_OUT = 0.02
IMPORTANT_INFO = 0.05
DIFFICULT_METER = 0.03
EXTRA_WORK = 0.05
DEVIATION = 0.03

_KM_PER_DEG_LAT = 111.2


@dataclass(frozen=True)
class _Street:
    name: str
    lat: float  # where house number 0 would be
    lon: float
    dlat: float  # change from the first to the last house
    dlon: float
    postcode: str
    last_no: int


@dataclass(frozen=True)
class _PreparedTown:
    town: Town
    streets: tuple[_Street, ...]
    stage: str


def _gs1_weights(digits: int, first_weight: int) -> list[int]:
    """Weighted digit sums of every ``digits``-long number, for a table-driven check digit."""
    weights = [first_weight if i % 2 == 0 else 4 - first_weight for i in range(digits)][::-1]
    return [sum(int(d) * w for d, w in zip(f"{n:0{digits}d}", weights, strict=True))
            for n in range(10**digits)]


# The 17 payload digits carry weights 3,1,3,... from the right (GS1); the 10-digit prefix
# sits left of 7 varying digits, so its weights start with 1 at its right end.
_PREFIX_SUM = sum(int(d) * w for d, w in zip(METERING_POINT_PREFIX[::-1], (1, 3) * 5,
                                             strict=True))
_LOW4 = _gs1_weights(4, 3)  # digits 1-4 from the right: 3,1,3,1
_HIGH3 = _gs1_weights(3, 3)  # digits 5-7 from the right: 3,1,3


def metering_point_id(serial: int) -> str:
    """The 18-digit metering point id for a 7-digit serial, with its GS1 check digit."""
    total = _PREFIX_SUM + _HIGH3[serial // 10_000] + _LOW4[serial % 10_000]
    return f"{METERING_POINT_PREFIX}{serial:07d}{(10 - total % 10) % 10}"


def _prepare_town(rng: random.Random, town: Town, style: str, stages: tuple[str, ...],
                  index: int) -> _PreparedTown:
    lat0, lat1, lon0, lon1 = town.box
    km_per_deg_lon = _KM_PER_DEG_LAT * math.cos(math.radians((lat0 + lat1) / 2))
    clat, clon = (lat0 + lat1) / 2, (lon0 + lon1) / 2
    codes = town.postcodes
    streets = []
    for name in sample_streets(rng, style, max(12, min(160, town.population * 2))):
        last_no = rng.choice((6, 12, 20, 30, 45, 60, 90, 140))
        length_km = min(2.5, 0.03 * last_no + 0.1)
        angle = rng.uniform(0, math.pi)
        dlat = length_km * math.sin(angle) / _KM_PER_DEG_LAT
        dlon = length_km * math.cos(angle) / km_per_deg_lon
        lat = rng.uniform(lat0, lat1 - abs(dlat)) if abs(dlat) < lat1 - lat0 else lat0
        lon = rng.uniform(lon0, lon1 - dlon) if dlon < lon1 - lon0 else lon0
        # A postcode is a sector around the town centre, so neighbours share one.
        mid_lat, mid_lon = lat + dlat / 2, lon + dlon / 2
        sector = (math.atan2(mid_lat - clat, (mid_lon - clon) * 0.5) + math.pi) / (2 * math.pi)
        postcode = codes[min(len(codes) - 1, int(sector * len(codes)))]
        streets.append(_Street(name, lat, lon, dlat, dlon, postcode, last_no))
    # Stages roll out town by town: neighbouring towns in the list share early stages.
    stage = stages[min(len(stages) - 1, index * len(stages) // 20 + rng.randrange(2))]
    return _PreparedTown(town, tuple(streets), stage)


def _customer_name(r, first: str, last: str, p: _PreparedTown, street: str, no: str) -> str:
    x = r()
    if x < 0.02:
        pattern = texts.CUSTOMER_BUSINESSES[int(r() * len(texts.CUSTOMER_BUSINESSES))]
        return pattern.format(last=last, town=p.town.municipality, street=street, no=no)
    if x < 0.07:
        return f"{first} {LAST_NAMES[int(r() * len(LAST_NAMES))]} {last}"
    return f"{first} {last}"


def generate_orders(company_key: str, n: int, seed: int) -> Iterator[dict]:
    """Yield ``n`` work orders of a demo company, the same ones for the same seed.

    Each dict holds ``summary``, ``description``, ``issuetype``, every AMS custom field
    key (``None`` where unset: planned_start, estimate, reply_code, on_hold_until, and a
    missing mobile) and ``post_town``, which is not a field but letters want it. Flags
    are bools, ``position`` a ``(lat, lon)`` tuple. The first k orders of a longer run
    equal a run of k, so loaders can stop anywhere.
    """
    comp: Company = company(company_key)
    rng = random.Random(f"{comp.key}:{seed}")
    towns = [_prepare_town(rng, t, comp.street_style, comp.stages, i)
             for i, t in enumerate(comp.towns)]
    cum = list(accumulate(t.population for t in comp.towns))
    total = cum[-1]
    stages = comp.stages
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    # Affine permutations give unique serials without remembering what was used.
    company_base = 5_000_000 * comp.serial_block
    mp_mul, mp_add = rng.choice((1_234_567, 3_141_593, 2_718_281)), rng.randrange(5_000_000)
    meter_mul, meter_add = rng.choice((7_654_321, 1_618_033)), rng.randrange(90_000_000)
    kis_mul, kis_add = rng.choice((3_333_331, 4_444_447)), rng.randrange(9_000_000)
    r = rng.random
    important, difficult, general = (texts.IMPORTANT_NOTES, texts.DIFFICULT_NOTES,
                                     texts.GENERAL_NOTES)
    for i in range(n):
        p = towns[bisect(cum, r() * total)]
        streets = p.streets
        st = streets[int(r() * len(streets))]
        along = r() ** 1.5
        no_int = 1 + int(along * st.last_no)
        no = str(no_int) if r() > 0.04 else f"{no_int}{'ABC'[int(r() * 3)]}"
        street_address = f"{st.name} {no}"
        lat = st.lat + along * st.dlat + (r() - 0.5) * 0.0004
        lon = st.lon + along * st.dlon + (r() - 0.5) * 0.0008
        first = FIRST_NAMES[int(n_first * r() ** 1.7)]
        last = LAST_NAMES[int(n_last * r() ** 1.7)]
        x = r()
        if x < MOBILE_MISSING:
            mobile = None
        elif x < MOBILE_MISSING + MOBILE_INVALID / 2:  # a digit lost somewhere in KIS
            mobile = f"+47{MOBILE_PREFIXES[int(r() * 16)]}{int(r() * 100_000):05d}"
        elif x < MOBILE_MISSING + MOBILE_INVALID:  # a landline typed as mobile
            mobile = f"+47{p.town.area_code}{int(r() * 1_000_000):06d}"
        else:
            mobile = f"+47{MOBILE_PREFIXES[int(r() * 16)]}{int(r() * 1_000_000):06d}"
        is_important = r() < IMPORTANT_INFO
        is_difficult = r() < DIFFICULT_METER
        if is_important:
            description = important[int(r() * len(important))].format(no=no_int + 2)
        elif is_difficult:
            description = difficult[int(r() * len(difficult))]
        elif r() < 0.1:
            description = general[int(r() * len(general))]
        else:
            description = ""
        x = r()
        if x < EXTRA_WORK:
            issuetype = "Tilleggsarbeid"
            summary = f"Tilleggsarbeid {street_address}: {texts.EXTRA_WORK[int(r() * 5)]}"
        elif x < EXTRA_WORK + DEVIATION:
            issuetype = "Avvik"
            summary = f"Avvik {street_address}: {texts.DEVIATIONS[int(r() * 5)]}"
        else:
            issuetype = "Målerbytte"
            summary = f"Målerbytte {street_address}"
        lat0, lat1, lon0, lon1 = p.town.box
        yield {
            "summary": summary,
            "description": description,
            "issuetype": issuetype,
            "planned_start": None,
            "estimate": None,
            "stage": p.stage if r() < 0.9 else stages[int(r() * len(stages))],
            "customer_name": _customer_name(r, first, last, p, st.name, no),
            "address": street_address,
            "postcode": st.postcode,
            "post_town": p.town.post_town,
            "municipality": p.town.municipality_no,
            "mobile": mobile,
            "sms_opt_out": r() < SMS_OPT_OUT,
            "important_info": is_important,
            "difficult_meter": is_difficult,
            "position": (round(min(max(lat, lat0), lat1), 6),
                         round(min(max(lon, lon0), lon1), 6)),
            "meter_number": str(10_000_000 + (meter_mul * i + meter_add) % 90_000_000),
            "metering_point_id": metering_point_id(
                company_base + (mp_mul * i + mp_add) % 5_000_000),
            "kis_customer_id": str(1_000_000 + (kis_mul * i + kis_add) % 9_000_000),
            "reply_code": None,
            "on_hold_until": None,
        }
