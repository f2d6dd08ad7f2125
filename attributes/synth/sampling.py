"""The distribution of synthetic signs: country templates and free combinations.

About 60 % of signs follow a template of real sign families from several
countries (European prohibitory, end-of and mandatory discs, warning
triangles, US/AU warning diamonds, stop, yield, priority, no entry, US
speed limits and text plates). The other 40 % combine every schema value
at random, so that the networks cannot tie one attribute to another (a
red fill to an octagon, digits to a circle).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from signrules.attributes.schema import Schema
from signrules.attributes.synth.colours import readable_legend_colours
from signrules.attributes.synth.lettering import character_width
from signrules.attributes.synth.pictograms import (
    EXCLAMATION_PICTOGRAM,
    NO_ENTRY_PICTOGRAM,
    TRAFFIC_LIGHT_PICTOGRAM,
    pictogram_ids,
)
from signrules.attributes.synth.spec import SignSpec, SignStyle

__all__ = [
    "SIGN_NUMBERS",
    "SIGN_WORDS",
    "STOP_WORDS",
    "TEMPLATE_FRACTION",
    "TEMPLATE_NAMES",
    "sample_spec",
    "sample_template",
]

#: Share of signs drawn from templates; the rest are free combinations.
TEMPLATE_FRACTION = 0.6

#: The word of stop signs in several countries, accents dropped: Spanish and
#: Mexican ALTO, Quebec ARRET, Brazilian and Colombian PARE, HALT, Turkish DUR.
STOP_WORDS = ("STOP", "ALTO", "ARRET", "PARE", "HALT", "DUR")

#: Words of 2-6 letters found on signs in several languages.
SIGN_WORDS = (
    "STOP",
    "ALTO",
    "ARRET",
    "PARE",
    "HALT",
    "DUR",
    "YIELD",
    "SLOW",
    "ZONE",
    "MAX",
    "MIN",
    "END",
    "ONLY",
    "EXIT",
    "BUS",
    "TAXI",
    "LIMIT",
    "SPEED",
    "NO",
    "ONE",
    "WAY",
    "DO",
    "NOT",
    "ENTER",
    "WRONG",
    "KEEP",
    "RIGHT",
    "LEFT",
    "AHEAD",
    "TRUCK",
    "ROAD",
    "WORK",
    "DETOUR",
    "CLOSED",
    "SCHOOL",
    "XING",
    "PED",
    "BIKE",
    "LANE",
    "MERGE",
    "CEDA",
    "PASO",
    "SENS",
    "UNIQUE",
    "ZONA",
    "ENDE",
    "PARK",
    "TOLL",
    "CAMBIO",
    "FIN",
    "VIA",
    "ALLE",
    "RICHT",
    "GIVE",
    "TURN",
    "HOSP",
    "POLICE",
    "FIRE",
    "TRAM",
    "RAIL",
    "FERRY",
    "PEAGE",
    "SORTIE",
    "AUSFAH",
    "SALIDA",
    "USCITA",
    "FORBUD",
    "KORKEA",
    "SLUT",
    "OBRAS",
    "DANGER",
    "KM",
    "MPH",
    "TONS",
    "EXCEPT",
    "LOCAL",
    "FRONT",
    "HIGHWY",
    "ROUTE",
    "NORTH",
    "SOUTH",
    "EAST",
    "WEST",
)

#: Speed limits and distances as signs show them, used by the templates and
#: the digit swaps. The free combinations draw digit strings uniformly.
SIGN_NUMBERS = (
    "5",
    "10",
    "15",
    "20",
    "25",
    "30",
    "35",
    "40",
    "45",
    "50",
    "55",
    "60",
    "65",
    "70",
    "75",
    "80",
    "90",
    "100",
    "110",
    "120",
    "130",
)

# Pictogram families that fit each kind of plate.
_WARNING_FAMILIES = (
    "road",
    "wave",
    "vehicle",
    "person",
    "animal",
    "object",
    "radial",
    "glyph",
    "blob",
)
_PROHIBITORY_FAMILIES = ("vehicle", "pair", "person", "animal", "object", "arrow")


def _digits_uniform(rng: np.random.Generator) -> str:
    """Draw 1-3 digits: length uniform, every digit uniform in every position."""
    length = int(rng.integers(1, 4))
    return "".join(str(d) for d in rng.integers(0, 10, length))


def _digits_realistic(rng: np.random.Generator) -> str:
    return SIGN_NUMBERS[int(rng.integers(len(SIGN_NUMBERS)))] if rng.random() < 0.6 else _digits_uniform(rng)


def _word(
    rng: np.random.Generator, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_length: int = 6
) -> str:
    """Draw a sign word half the time, else 2-6 random letters."""
    if rng.random() < 0.5:
        words = [
            word for word in SIGN_WORDS if len(word) <= max_length and set(word) <= set(alphabet)
        ]
        return words[int(rng.integers(len(words)))]
    length = int(rng.integers(2, max_length + 1))
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), length))


def _draw_index(rng: np.random.Generator, cumulative: np.ndarray) -> int:
    """Draw an index with probabilities proportional to the steps of ``cumulative``."""
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def _pictogram(rng: np.random.Generator, families: tuple[str, ...] | None = None) -> int:
    """Draw a pictogram id from some families, or from every class."""
    if families is None:
        return _pick(rng, pictogram_ids())
    return _pick(rng, pictogram_ids(_pick(rng, families)))


def _style(
    rng: np.random.Generator, *, lettering: tuple[float, float] = (1.0, 1.6), **overrides
) -> SignStyle:
    """Draw the design details of a plate; templates override what their family fixes.

    ``lettering`` is the range of the letters' width relative to OSP-DIN's.
    The "sans" font is wider by nature, so its stretch is scaled down to
    give the same widths.
    """
    font = "din" if rng.random() < 0.55 else "sans"
    width_scale = character_width("din") / character_width(font)
    values = {
        "border_width": rng.uniform(0.06, 0.22),
        "corner_radius": rng.uniform(0.02, 0.16),
        "font": font,
        "letter_stretch": max(0.6, rng.uniform(*lettering) * width_scale),
        "letter_spacing": rng.uniform(0.04, 0.16),
        "font_weight": int(rng.choice([-1, 0, 0, 1])),
        "legend_scale": rng.uniform(0.85, 1.05),
        "strike_style": "band" if rng.random() < 0.5 else "bar",
        "strike_colour": _pick(rng, ("grey", "black", "red")),
        "strike_angle": 45.0 if rng.random() < 0.7 else -45.0,
    }
    if rng.random() < 0.15:
        values["edge_colour"] = _pick(rng, ("black", "white", "grey"))
        values["edge_width"] = rng.uniform(0.02, 0.05)
    values.update(overrides)
    return SignStyle(**values)


def _make(
    shape: str, fill: str, border: str, strike: str = "none", *, style: SignStyle, **fields
) -> SignSpec:
    """Build a spec, dropping the plate's edge when it has no rim.

    A thin edge around a plate without rim would read as a thin rim,
    against its label "none".
    """
    if border == "none" and style.edge_colour is not None:
        style = replace(style, edge_colour=None)
    return SignSpec(shape, fill, border, strike, style=style, **fields)


# --- templates -------------------------------------------------------------


def _white_edge(rng: np.random.Generator) -> dict[str, object]:
    """Draw the thin white plate edge outside a red rim, which half of European signs show."""
    if rng.random() < 0.5:
        return {"edge_colour": "white", "edge_width": rng.uniform(0.02, 0.05)}
    return {"edge_colour": None}


def _prohibitory(rng):
    # European speed limits and prohibitions; Nordic ones have a yellow plate.
    fill = "yellow" if rng.random() < 0.15 else "white"
    style = _style(
        rng,
        border_width=rng.uniform(0.13, 0.22),
        lettering=(1.15, 1.5),
        font_weight=int(rng.choice([-1, -1, 0])),
        **_white_edge(rng),
    )
    if rng.random() < 0.6:
        return _make(
            "circle",
            fill,
            "red",
            digits=_digits_realistic(rng),
            style=style,
            template="prohibitory",
        )
    return _make(
        "circle",
        fill,
        "red",
        pictogram=_pictogram(rng, _PROHIBITORY_FAMILIES),
        style=style,
        template="prohibitory",
    )


def _end_of(rng):
    # German "end of" signs: a thin black rim and a band of grey lines over
    # the legend, or, elsewhere, one solid bar.
    band = rng.random() < 0.7
    style = _style(
        rng,
        border_width=rng.uniform(0.02, 0.06),
        strike_style="band" if band else "bar",
        strike_colour="grey" if band or rng.random() < 0.5 else "black",
        strike_angle=45.0,
        lettering=(1.15, 1.5),
    )
    border = "black" if rng.random() < 0.8 else "none"
    legend = "grey" if rng.random() < 0.5 else "black"
    content = rng.random()
    if content < 0.45:
        return _make(
            "circle",
            "white",
            border,
            "diagonal",
            digits=_digits_realistic(rng),
            legend_colour=legend,
            style=style,
            template="end_of",
        )
    if content < 0.7:
        return _make(
            "circle",
            "white",
            border,
            "diagonal",
            pictogram=_pictogram(rng, _PROHIBITORY_FAMILIES),
            legend_colour=legend,
            style=style,
            template="end_of",
        )
    return _make("circle", "white", border, "diagonal", style=style, template="end_of")


def _mandatory(rng):
    # Blue discs with white arrows; minimum-speed discs show white digits.
    style = _style(rng, border_width=rng.uniform(0.02, 0.06))
    border = "white" if rng.random() < 0.7 else "none"
    if rng.random() < 0.15:
        return _make(
            "circle",
            "blue",
            border,
            digits=_digits_realistic(rng),
            legend_colour="white",
            style=style,
            template="mandatory",
        )
    families = ("arrow",) if rng.random() < 0.75 else ("vehicle", "person", "road")
    return _make(
        "circle",
        "blue",
        border,
        pictogram=_pictogram(rng, families),
        legend_colour="white",
        style=style,
        template="mandatory",
    )


def _warning_triangle(rng):
    fill = "yellow" if rng.random() < 0.2 else "white"
    style = _style(
        rng,
        border_width=rng.uniform(0.1, 0.18),
        corner_radius=rng.uniform(0.05, 0.15),
        legend_scale=rng.uniform(0.9, 1.05),
        **_white_edge(rng),
    )
    roll = rng.random()
    if roll < 0.12:
        pictogram = EXCLAMATION_PICTOGRAM
    elif roll < 0.17:
        pictogram = TRAFFIC_LIGHT_PICTOGRAM
    else:
        pictogram = _pictogram(rng, _WARNING_FAMILIES)
    return _make(
        "triangle", fill, "red", pictogram=pictogram, style=style, template="warning_triangle"
    )


def _warning_diamond(rng):
    # US and Australian warnings: yellow, or orange in work zones, with a
    # thin black rim inset from the plate's edge.
    fill = "orange" if rng.random() < 0.25 else "yellow"
    style = _style(
        rng,
        border_width=rng.uniform(0.03, 0.06),
        edge_colour=fill if rng.random() < 0.5 else None,
        edge_width=0.04,
        corner_radius=rng.uniform(0.04, 0.12),
    )
    roll = rng.random()
    if roll < 0.7:
        return _make(
            "diamond",
            fill,
            "black",
            pictogram=_pictogram(rng, _WARNING_FAMILIES + ("arrow",)),
            style=style,
            template="warning_diamond",
        )
    if roll < 0.9:
        return _make(
            "diamond", fill, "black", text=_word(rng), style=style, template="warning_diamond"
        )
    return _make(
        "diamond",
        fill,
        "black",
        digits=_digits_realistic(rng),
        style=style,
        template="warning_diamond",
    )


def _stop(rng):
    roll = rng.random()
    word = "STOP" if roll < 0.5 else _pick(rng, STOP_WORDS[1:]) if roll < 0.85 else _word(rng)
    style = _style(
        rng,
        border_width=rng.uniform(0.03, 0.08),
        corner_radius=rng.uniform(0.0, 0.06),
        lettering=(1.1, 1.7),
        legend_scale=rng.uniform(0.9, 1.05),
    )
    border = "white" if rng.random() < 0.9 else "none"
    return _make(
        "octagon", "red", border, text=word, legend_colour="white", style=style, template="stop"
    )


def _yield(rng):
    style = _style(rng, border_width=rng.uniform(0.14, 0.24), corner_radius=rng.uniform(0.05, 0.15))
    if rng.random() < 0.25:
        # US yield: the word in red on the white plate.
        word = _pick(rng, ("YIELD", "CEDA", "GIVE")) if rng.random() < 0.7 else _word(rng)
        return _make(
            "inverted_triangle",
            "white",
            "red",
            text=word,
            legend_colour="red",
            style=style,
            template="yield",
        )
    fill = "yellow" if rng.random() < 0.15 else "white"
    return _make("inverted_triangle", fill, "red", style=style, template="yield")


def _priority(rng):
    style = _style(
        rng,
        border_width=rng.uniform(0.2, 0.3),
        edge_colour="black" if rng.random() < 0.5 else None,
        edge_width=0.03,
        corner_radius=rng.uniform(0.02, 0.08),
    )
    return _make("diamond", "yellow", "white", style=style, template="priority")


def _no_entry(rng):
    style = _style(rng, border_width=rng.uniform(0.02, 0.06))
    border = "white" if rng.random() < 0.7 else "none"
    if rng.random() < 0.15:
        # No stopping / no parking: blue disc, red rim, red bar.
        style = _style(
            rng, border_width=rng.uniform(0.12, 0.2), strike_style="bar", strike_colour="red"
        )
        return _make("circle", "blue", "red", "diagonal", style=style, template="no_parking")
    return _make(
        "circle",
        "red",
        border,
        pictogram=NO_ENTRY_PICTOGRAM,
        legend_colour="white",
        style=style,
        template="no_entry",
    )


def _text_plate(rng):
    fill = _pick(rng, ("white", "blue", "green", "yellow", "black", "red", "orange"))
    legend = _pick(rng, readable_legend_colours(fill))
    border = _pick(rng, [b for b in ("white", "black", "none") if b != fill])
    style = _style(
        rng,
        aspect=rng.uniform(1.2, 2.6),
        border_width=rng.uniform(0.02, 0.07),
        corner_radius=rng.uniform(0.0, 0.15),
    )
    if rng.random() < 0.25:
        return _make(
            "rectangle",
            fill,
            border,
            text=_word(rng),
            pictogram=_pictogram(rng),
            legend_colour=legend,
            style=style,
            template="text_plate",
        )
    return _make(
        "rectangle",
        fill,
        border,
        text=_word(rng),
        legend_colour=legend,
        style=style,
        template="text_plate",
    )


def _us_speed_limit(rng):
    # Portrait white plate with a thin black rim; a word above the number.
    style = _style(
        rng,
        aspect=rng.uniform(0.7, 0.9),
        border_width=rng.uniform(0.02, 0.05),
        corner_radius=rng.uniform(0.03, 0.12),
        lettering=(1.0, 1.4),
    )
    word = _pick(rng, ("LIMIT", "SPEED", "MAX", "MIN", "ZONE", "MPH")) if rng.random() < 0.5 else ""
    return _make(
        "rectangle",
        "white",
        "black",
        digits=_digits_realistic(rng),
        text=word,
        style=style,
        template="us_speed_limit",
    )


def _info_square(rng):
    # Blue or green information squares with a white symbol.
    fill = _pick(rng, ("blue", "green"))
    style = _style(rng, aspect=rng.uniform(0.85, 1.15), border_width=rng.uniform(0.02, 0.06))
    border = "white" if rng.random() < 0.6 else "none"
    return _make(
        "rectangle",
        fill,
        border,
        pictogram=_pictogram(rng),
        legend_colour="white",
        style=style,
        template="info_square",
    )


_TEMPLATES: tuple[tuple[Callable[[np.random.Generator], SignSpec], float], ...] = (
    (_prohibitory, 0.20),
    (_end_of, 0.08),
    (_mandatory, 0.10),
    (_warning_triangle, 0.16),
    (_warning_diamond, 0.07),
    (_stop, 0.09),
    (_yield, 0.06),
    (_priority, 0.04),
    (_no_entry, 0.05),
    (_text_plate, 0.06),
    (_us_speed_limit, 0.05),
    (_info_square, 0.04),
)
_TEMPLATE_CUMULATIVE = np.cumsum([weight for _, weight in _TEMPLATES])
_TEMPLATES_BY_NAME = {function.__name__.lstrip("_"): function for function, _ in _TEMPLATES}

#: Names of the templates, for ``sample_template``.
TEMPLATE_NAMES = tuple(_TEMPLATES_BY_NAME)


def sample_template(rng: np.random.Generator, name: str) -> SignSpec:
    """Draw a sign from one template, e.g. "stop" or "prohibitory"."""
    try:
        template = _TEMPLATES_BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"template must be one of {', '.join(TEMPLATE_NAMES)}, got {name!r}"
        ) from None
    return template(rng)


# --- free combinations -----------------------------------------------------

# Legend contents of free combinations and their shares.
_CONTENTS = (
    "blank",
    "digits",
    "text",
    "pictogram",
    "digits+pictogram",
    "text+digits",
    "text+pictogram",
)
_CONTENT_CUMULATIVE = np.cumsum([0.12, 0.26, 0.22, 0.25, 0.05, 0.05, 0.05])


def _random_spec(rng: np.random.Generator, schema: Schema) -> SignSpec:
    """Draw every categorical value independently, then a legend that can be read on the fill."""
    values = {name: _pick(rng, attribute.values) for name, attribute in schema.categorical.items()}
    while values["border"] == values["fill"]:
        values["border"] = _pick(rng, schema.categorical["border"].values)

    content = _CONTENTS[_draw_index(rng, _CONTENT_CUMULATIVE)]
    digits_attribute = schema.strings["digits"]
    text_attribute = schema.strings["text"]
    digits = _digits_uniform(rng) if "digits" in content else ""
    digits = digits[: digits_attribute.max_length]
    text = (
        _word(rng, text_attribute.alphabet, text_attribute.max_length) if "text" in content else ""
    )
    pictogram = _pictogram(rng) if "pictogram" in content else None

    aspect = rng.choice([rng.uniform(0.6, 0.95), rng.uniform(0.95, 1.05), rng.uniform(1.1, 2.2)])
    style = _style(rng, aspect=float(aspect))
    return _make(
        shape=values["shape"],
        fill=values["fill"],
        border=values["border"],
        strike=values["strike"],
        digits=digits,
        text=text,
        pictogram=pictogram,
        legend_colour=_pick(rng, readable_legend_colours(values["fill"])),
        style=style,
        template="random",
    )


def sample_spec(rng: np.random.Generator, schema: Schema) -> SignSpec:
    """Draw a sign: a country template with probability 0.6, else a free combination.

    Free combinations use the values of ``schema``; templates use fixed
    names, which must exist in it (they do in the default schema).
    """
    if rng.random() < TEMPLATE_FRACTION:
        template = _TEMPLATES[_draw_index(rng, _TEMPLATE_CUMULATIVE)][0]
        return template(rng)
    return _random_spec(rng, schema)
