"""Finding the area for a town or postcode, from data shipped with the app (no network).

People know their town or postcode, not which police force covers it. A postcode area (the
letters at the start of a postcode) or a well-known town maps to the force area most of it lies
in. A postcode area can cross a boundary, so this is a way to start a search, never a rule.
"""

import re

# Postcode area -> force slug (the force covering most of the area). England and Wales only.
POSTCODE_AREAS = {
    "AL": "hertfordshire", "B": "west-midlands", "BA": "avon-and-somerset",
    "BB": "lancashire", "BD": "west-yorkshire", "BH": "dorset", "BL": "greater-manchester",
    "BN": "sussex", "BR": "metropolitan", "BS": "avon-and-somerset", "CA": "cumbria",
    "CB": "cambridgeshire", "CF": "south-wales", "CH": "cheshire", "CM": "essex",
    "CO": "essex", "CR": "metropolitan", "CT": "kent", "CV": "west-midlands", "CW": "cheshire",
    "DA": "kent", "DE": "derbyshire", "DH": "durham", "DL": "durham",
    "DN": "south-yorkshire", "DT": "dorset", "DY": "west-midlands", "E": "metropolitan",
    "EC": "city-of-london", "EN": "metropolitan", "EX": "devon-and-cornwall",
    "GL": "gloucestershire", "GU": "surrey", "HA": "metropolitan", "HD": "west-yorkshire",
    "HG": "north-yorkshire", "HP": "thames-valley", "HR": "west-mercia", "HU": "humberside",
    "HX": "west-yorkshire", "IG": "metropolitan", "IP": "suffolk", "KT": "surrey",
    "L": "merseyside", "LA": "lancashire", "LD": "dyfed-powys", "LE": "leicestershire",
    "LL": "north-wales", "LN": "lincolnshire", "LS": "west-yorkshire", "LU": "bedfordshire",
    "M": "greater-manchester", "ME": "kent", "MK": "thames-valley", "N": "metropolitan",
    "NE": "northumbria", "NG": "nottinghamshire", "NN": "northamptonshire", "NP": "gwent",
    "NR": "norfolk", "NW": "metropolitan", "OL": "greater-manchester", "OX": "thames-valley",
    "PE": "cambridgeshire", "PL": "devon-and-cornwall", "PO": "hampshire", "PR": "lancashire",
    "RG": "thames-valley", "RH": "surrey", "RM": "metropolitan", "S": "south-yorkshire",
    "SA": "south-wales", "SE": "metropolitan", "SG": "hertfordshire",
    "SK": "greater-manchester", "SL": "thames-valley", "SM": "metropolitan", "SN": "wiltshire",
    "SO": "hampshire", "SP": "wiltshire", "SR": "northumbria", "SS": "essex",
    "ST": "staffordshire", "SW": "metropolitan", "SY": "west-mercia", "TA": "avon-and-somerset",
    "TF": "west-mercia", "TN": "kent", "TQ": "devon-and-cornwall", "TR": "devon-and-cornwall",
    "TS": "cleveland", "TW": "metropolitan", "UB": "metropolitan", "W": "metropolitan",
    "WA": "cheshire", "WC": "metropolitan", "WD": "hertfordshire", "WF": "west-yorkshire",
    "WN": "greater-manchester", "WR": "west-mercia", "WS": "west-midlands",
    "WV": "west-midlands", "YO": "north-yorkshire",
}  # fmt: skip

# Towns people may type, where the postcode area's own name would not be enough or would mislead.
TOWNS = {
    "london": "metropolitan", "kingston": "metropolitan", "hemel hempstead": "hertfordshire",
    "hertford": "hertfordshire", "hitchin": "hertfordshire", "st albans": "hertfordshire",
    "stevenage": "hertfordshire", "watford": "hertfordshire", "luton": "bedfordshire",
    "bedford": "bedfordshire", "cambridge": "cambridgeshire", "peterborough": "cambridgeshire",
    "ely": "cambridgeshire", "huntingdon": "cambridgeshire", "chelmsford": "essex",
    "colchester": "essex", "southend": "essex", "basildon": "essex", "harlow": "essex",
    "oxford": "thames-valley", "reading": "thames-valley", "slough": "thames-valley",
    "milton keynes": "thames-valley", "aylesbury": "thames-valley",
    "high wycombe": "thames-valley", "birmingham": "west-midlands", "coventry": "west-midlands",
    "wolverhampton": "west-midlands", "walsall": "west-midlands", "dudley": "west-midlands",
    "carmarthen": "dyfed-powys", "llanelli": "dyfed-powys", "aberystwyth": "dyfed-powys",
    "haverfordwest": "dyfed-powys", "brecon": "dyfed-powys", "exeter": "devon-and-cornwall",
    "plymouth": "devon-and-cornwall", "truro": "devon-and-cornwall",
    "torquay": "devon-and-cornwall", "bristol": "avon-and-somerset", "bath": "avon-and-somerset",
    "cardiff": "south-wales", "swansea": "south-wales", "newport": "gwent",
    "manchester": "greater-manchester", "liverpool": "merseyside", "leeds": "west-yorkshire",
    "sheffield": "south-yorkshire", "newcastle": "northumbria", "nottingham": "nottinghamshire",
    "leicester": "leicestershire", "norwich": "norfolk", "ipswich": "suffolk",
    "southampton": "hampshire", "portsmouth": "hampshire", "brighton": "sussex",
    "york": "north-yorkshire",
}  # fmt: skip

_POSTCODE_START = re.compile(r"^([A-Z]{1,2})(?:[0-9].*)?$")


def area_for(text: str) -> str | None:
    """The force slug for a town or the start of a postcode ("SG1", "sg1 2ab", "AL"), or None."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    town = TOWNS.get(cleaned.lower().replace("st. ", "st "))
    if town:
        return town
    match = _POSTCODE_START.match(cleaned.upper().replace(" ", ""))
    return POSTCODE_AREAS.get(match.group(1)) if match else None
