"""Towns served by the two demo grid companies: postcodes, municipalities and land boxes.

Municipality numbers are the real ones from the 2024 county reform. Each town has a
small latitude/longitude box judged to be on land (fjords, lakes and rivers kept out
where the town lies by water), so positions scattered inside it land on roads and
rooftops rather than in Mjøsa or the Trondheimsfjord.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    """A post town: where customers live, and the codes their orders carry."""

    post_town: str
    municipality: str
    municipality_no: str
    postcodes: tuple[str, ...]
    box: tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max
    population: int  # thousands, weights how many orders the town gets
    area_code: str  # two-digit landline prefix, for realistic wrong "mobile" numbers


@dataclass(frozen=True)
class Company:
    """A demo grid company (one project): its towns and how it names rollout stages."""

    key: str
    name: str
    towns: tuple[Town, ...]
    stages: tuple[str, ...]
    street_style: str  # "veien" (eastern bokmål) or "vegen" (Trøndelag/Møre)
    serial_block: int  # which half of the metering point serials the company owns


def _codes(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{code:04d}" for code in range(first, last + 1))


EAST_TOWNS: tuple[Town, ...] = (
    Town("HAMAR", "Hamar", "3403", _codes(2315, 2319),
         (60.790, 60.820, 11.065, 11.120), 32, "62"),
    Town("LILLEHAMMER", "Lillehammer", "3405", ("2609", "2613", "2614", "2615", "2618"),
         (61.100, 61.135, 10.455, 10.500), 29, "61"),
    Town("GJØVIK", "Gjøvik", "3407", _codes(2815, 2819),
         (60.780, 60.815, 10.650, 10.695), 31, "61"),
    Town("ELVERUM", "Elverum", "3420", _codes(2406, 2409),
         (60.870, 60.900, 11.530, 11.600), 21, "62"),
    Town("KONGSVINGER", "Kongsvinger", "3401", _codes(2211, 2214),
         (60.180, 60.205, 11.970, 12.040), 18, "62"),
    Town("BRUMUNDDAL", "Ringsaker", "3411", ("2380", "2381", "2383"),
         (60.875, 60.905, 10.920, 10.970), 20, "62"),
    Town("MOELV", "Ringsaker", "3411", ("2390",),
         (60.930, 60.950, 10.690, 10.720), 6, "62"),
    Town("STANGE", "Stange", "3413", ("2335", "2336"),
         (60.705, 60.725, 11.170, 11.210), 9, "62"),
    Town("RAUFOSS", "Vestre Toten", "3443", ("2830", "2831"),
         (60.715, 60.735, 10.590, 10.630), 8, "61"),
    Town("DRAMMEN", "Drammen", "3301", _codes(3015, 3019) + _codes(3021, 3028),
         (59.735, 59.760, 10.150, 10.220), 103, "32"),
    Town("KONGSBERG", "Kongsberg", "3303", _codes(3611, 3616),
         (59.655, 59.685, 9.630, 9.670), 28, "32"),
    Town("HØNEFOSS", "Ringerike", "3305", ("3511", "3512", "3513", "3514", "3515", "3517"),
         (60.155, 60.180, 10.230, 10.280), 31, "32"),
    Town("SARPSBORG", "Sarpsborg", "3105", _codes(1706, 1715),
         (59.270, 59.295, 11.080, 11.140), 58, "69"),
    Town("FREDRIKSTAD", "Fredrikstad", "3107", _codes(1606, 1616),
         (59.205, 59.230, 10.930, 10.980), 84, "69"),
    Town("JESSHEIM", "Ullensaker", "3209", _codes(2050, 2054),
         (60.130, 60.155, 11.150, 11.200), 42, "63"),
    Town("TØNSBERG", "Tønsberg", "3905", _codes(3110, 3118),
         (59.270, 59.290, 10.380, 10.430), 57, "33"),
    Town("SANDEFJORD", "Sandefjord", "3907", _codes(3210, 3218),
         (59.135, 59.160, 10.190, 10.250), 65, "33"),
    Town("LARVIK", "Larvik", "3909", _codes(3256, 3264),
         (59.055, 59.075, 10.000, 10.060), 48, "33"),
    Town("HORTEN", "Horten", "3901", _codes(3183, 3189),
         (59.405, 59.430, 10.440, 10.475), 27, "33"),
    Town("HOLMESTRAND", "Holmestrand", "3903", ("3080", "3081", "3085"),
         (59.490, 59.510, 10.270, 10.310), 25, "33"),
)

NORTH_TOWNS: tuple[Town, ...] = (
    Town("TRONDHEIM", "Trondheim", "5001", _codes(7011, 7034) + _codes(7036, 7053),
         (63.370, 63.425, 10.340, 10.450), 212, "73"),
    Town("STEINKJER", "Steinkjer", "5006", _codes(7711, 7716),
         (64.010, 64.030, 11.480, 11.530), 24, "74"),
    Town("NAMSOS", "Namsos", "5007", _codes(7800, 7805),
         (64.467, 64.480, 11.470, 11.530), 15, "74"),
    Town("STJØRDAL", "Stjørdal", "5035", _codes(7500, 7503),
         (63.465, 63.485, 10.900, 10.960), 25, "74"),
    Town("LEVANGER", "Levanger", "5037", _codes(7600, 7604),
         (63.740, 63.760, 11.290, 11.330), 20, "74"),
    Town("VERDAL", "Verdal", "5038", _codes(7650, 7653),
         (63.785, 63.800, 11.460, 11.510), 15, "74"),
    Town("ORKANGER", "Orkland", "5059", _codes(7300, 7302),
         (63.290, 63.305, 9.840, 9.870), 19, "72"),
    Town("MELHUS", "Melhus", "5028", ("7224",),
         (63.275, 63.295, 10.260, 10.300), 17, "72"),
    Town("RØROS", "Røros", "5025", ("7374",),
         (62.570, 62.585, 11.370, 11.400), 6, "72"),
    Town("OPPDAL", "Oppdal", "5021", ("7340",),
         (62.585, 62.600, 9.680, 9.710), 7, "72"),
    Town("ÅLESUND", "Ålesund", "1508", _codes(6010, 6020),
         (62.460, 62.472, 6.200, 6.300), 58, "70"),
    Town("MOLDE", "Molde", "1506", _codes(6411, 6416),
         (62.738, 62.750, 7.120, 7.200), 32, "71"),
    Town("KRISTIANSUND N", "Kristiansund", "1505", _codes(6507, 6517),
         (63.106, 63.114, 7.715, 7.745), 24, "71"),
    Town("ØRSTA", "Ørsta", "1520", ("6150", "6151"),
         (62.190, 62.200, 6.120, 6.160), 11, "70"),
    Town("VOLDA", "Volda", "1577", ("6100", "6101"),
         (62.140, 62.150, 6.050, 6.080), 11, "70"),
    Town("SUNNDALSØRA", "Sunndal", "1563", ("6600",),
         (62.665, 62.677, 8.540, 8.580), 7, "71"),
    Town("SURNADAL", "Surnadal", "1566", ("6650",),
         (62.970, 62.985, 8.700, 8.740), 6, "71"),
)

COMPANIES: dict[str, Company] = {
    "ELV": Company(
        key="ELV",
        name="Elvnett",
        towns=EAST_TOWNS,
        stages=tuple(f"Etappe {n}" for n in range(1, 7)),
        street_style="veien",
        serial_block=0,
    ),
    "FJN": Company(
        key="FJN",
        name="Fjordkraft Nett",
        towns=NORTH_TOWNS,
        stages=("2025-T3", "2026-T1", "2026-T2", "2026-T3"),
        street_style="vegen",
        serial_block=1,
    ),
}


def company(key: str) -> Company:
    """Look a demo company up by project key (case-insensitive); KeyError names the choices."""
    try:
        return COMPANIES[key.upper()]
    except KeyError:
        raise KeyError(f"unknown demo company {key!r}; choose one of {sorted(COMPANIES)}") from None
