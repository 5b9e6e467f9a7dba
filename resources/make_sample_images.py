"""Draw the illustrations used by the sample articles in resources/sample/.

Every picture is drawn from scratch with Pillow: flat colours, simple shapes and
Pillow's built-in font, no photographs and no downloaded assets. The output is
deterministic (no randomness), so running the script again rewrites the same
pictures. The places, figures and names in them are fictional.

    python resources/make_sample_images.py
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SAMPLE = Path(__file__).resolve().parent / "sample"
SIZE = (640, 400)
W, H = SIZE

# A small shared palette keeps the set looking like one family.
INK = (38, 44, 56)
PAPER = (250, 247, 240)
SKY = (186, 216, 235)
SKY_TOP = (120, 170, 210)
GRASS = (132, 178, 110)
GRASS_DARK = (96, 146, 84)
HILL = (104, 150, 120)
STONE = (214, 206, 190)
STONE_DARK = (160, 150, 134)
ROOF = (168, 84, 64)
WINDOW = (250, 226, 150)
ACCENT = (214, 96, 72)
ACCENT_2 = (70, 120, 170)
ACCENT_3 = (236, 180, 70)
MUTED = (120, 128, 140)


def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's built-in font, scaled where this Pillow can (10.1 and later)."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:
        return ImageFont.load_default()


def gradient(
    img: Image.Image,
    top: tuple[int, int, int],
    bottom: tuple[int, int, int],
    y0: int = 0,
    y1: int | None = None,
) -> None:
    """A vertical colour gradient between rows y0 and y1; below y1 stays the bottom colour."""
    draw = ImageDraw.Draw(img)
    y1 = img.height if y1 is None else y1
    draw.rectangle([0, y1, img.width, img.height], fill=bottom)
    span = max(1, y1 - y0 - 1)
    for y in range(y0, y1):
        t = (y - y0) / span
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (img.width, y)], fill=colour)


def hill(
    draw: ImageDraw.ImageDraw,
    base: int,
    amplitude: float,
    wavelength: float,
    phase: float,
    colour: tuple[int, int, int],
) -> None:
    """A band of rolling ground: a sine-shaped ridge filled down to the bottom edge."""
    points = [(0, H)]
    for x in range(0, W + 1, 8):
        points.append((x, base - amplitude * math.sin(x / wavelength + phase)))
    points.append((W, H))
    draw.polygon(points, fill=colour)


def tree(
    draw: ImageDraw.ImageDraw,
    x: int,
    ground: int,
    height: int,
    colour: tuple[int, int, int] = GRASS_DARK,
) -> None:
    draw.rectangle([x - 3, ground - height // 3, x + 3, ground], fill=(110, 84, 60))
    r = height // 3
    draw.ellipse([x - r, ground - height, x + r, ground - height + 2 * r], fill=colour)


def dashed_line(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    dash: float,
    colour: tuple[int, int, int],
    width: int,
) -> None:
    """A straight line drawn as dashes about `dash` pixels long."""
    (x0, y0), (x1, y1) = start, end
    steps = max(1, int(math.hypot(x1 - x0, y1 - y0) // dash))
    for s in range(0, steps, 2):
        a, b = s / steps, min(1, (s + 1) / steps)
        draw.line(
            [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
            fill=colour,
            width=width,
        )


def centred_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    fill: tuple[int, int, int],
) -> None:
    draw.text(xy, text, font=font(size), fill=fill, anchor="mm")


# --- the pictures -----------------------------------------------------------


def hospital_ward() -> Image.Image:
    """A low hospital wing with a children's ward on the ground floor."""
    img = Image.new("RGB", SIZE)
    gradient(img, SKY_TOP, SKY, 0, 300)
    draw = ImageDraw.Draw(img)
    draw.ellipse([520, 40, 580, 100], fill=(255, 240, 200))
    hill(draw, 310, 10, 90, 0.5, GRASS)
    # main block and wing
    draw.rectangle([140, 130, 500, 320], fill=STONE)
    draw.rectangle([60, 190, 160, 320], fill=STONE_DARK)
    draw.rectangle([490, 170, 590, 320], fill=STONE_DARK)
    draw.rectangle([130, 120, 510, 132], fill=(120, 112, 100))
    for row, y in enumerate((150, 205, 260)):
        for x in range(160, 490, 44):
            lit = (x // 44 + row) % 3 != 0
            draw.rectangle([x, y, x + 26, y + 34], fill=WINDOW if lit else (170, 190, 205))
    for x in (76, 118, 506, 548):
        draw.rectangle([x, 215, x + 24, 245], fill=(170, 190, 205))
    # entrance with canopy and sign
    draw.rectangle([290, 270, 350, 320], fill=(90, 110, 130))
    draw.polygon([(270, 270), (370, 270), (360, 256), (280, 256)], fill=ACCENT_2)
    draw.rounded_rectangle([270, 96, 370, 122], radius=6, fill=ACCENT)
    centred_text(draw, (320, 109), "WARD 4", 15, (255, 255, 255))
    # path and planting
    draw.polygon([(300, 320), (340, 320), (380, 400), (260, 400)], fill=(222, 214, 196))
    for x in (30, 220, 420, 610):
        tree(draw, x, 330, 70)
    return img


def market_square_at_dusk() -> Image.Image:
    """Rooftops and striped market awnings under an evening sky, smoke on the horizon."""
    img = Image.new("RGB", SIZE)
    gradient(img, (92, 86, 140), (238, 162, 120), 0, 300)
    draw = ImageDraw.Draw(img)
    # distant smoke, drawn as overlapping soft grey discs
    for i in range(7):
        r = 18 + i * 7
        cx, cy = 470 + i * 9, 190 - i * 22
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(150 + i * 6, 140 + i * 6, 150 + i * 6))
    # rooftops
    roofline = [(0, 230), (40, 230), (40, 190), (70, 170), (100, 190), (100, 215), (150, 215),
                (150, 160), (175, 140), (200, 160), (200, 205), (260, 205), (260, 180),
                (300, 150), (340, 180), (340, 200), (395, 200), (395, 120), (410, 100),
                (425, 120), (425, 200), (480, 200), (480, 175), (530, 175), (530, 210),
                (590, 210), (590, 185), (640, 185), (640, 400), (0, 400)]  # fmt: skip
    draw.polygon(roofline, fill=(70, 62, 88))
    # square
    draw.rectangle([0, 290, W, H], fill=(196, 170, 150))
    for x in range(-40, W, 60):
        draw.line([(x, H), (x + 80, 290)], fill=(182, 156, 138), width=2)
    # stalls with striped awnings
    for i, x in enumerate(range(40, 620, 150)):
        stripe = (ACCENT, ACCENT_2, ACCENT_3, (120, 160, 110))[i % 4]
        draw.rectangle([x, 300, x + 110, 345], fill=(150, 120, 96))
        for s in range(0, 110, 22):
            fill = stripe if (s // 22) % 2 == 0 else (245, 240, 230)
            draw.polygon(
                [(x + s, 280), (x + s + 22, 280), (x + s + 24, 300), (x + s - 2, 300)], fill=fill
            )
        draw.line([(x + 4, 300), (x + 4, 360)], fill=INK, width=3)
        draw.line([(x + 106, 300), (x + 106, 360)], fill=INK, width=3)
    return img


def harvest_fields() -> Image.Image:
    """Striped fields, hay bales, a sun and a line of festival bunting."""
    img = Image.new("RGB", SIZE)
    gradient(img, (150, 196, 230), (232, 236, 220), 0, 240)
    draw = ImageDraw.Draw(img)
    draw.ellipse([80, 50, 150, 120], fill=(255, 214, 120))
    hill(draw, 230, 18, 120, 0.0, (150, 170, 100))
    hill(draw, 265, 14, 80, 1.3, (214, 184, 96))
    hill(draw, 320, 10, 60, 2.1, (196, 160, 80))
    for y in range(290, H, 18):
        draw.line([(0, y + 10), (W, y)], fill=(178, 142, 70), width=3)
    for x, y, r in ((150, 330, 26), (230, 345, 30), (420, 322, 24), (520, 352, 32)):
        draw.ellipse(
            [x - r, y - r, x + r, y + r], fill=(226, 190, 100), outline=(170, 130, 60), width=3
        )
        draw.ellipse(
            [x - r // 2, y - r // 2, x + r // 2, y + r // 2], outline=(170, 130, 60), width=2
        )
    # bunting strung between two poles
    draw.line([(20, 40), (20, 250)], fill=(110, 84, 60), width=5)
    draw.line([(620, 40), (620, 250)], fill=(110, 84, 60), width=5)
    colours = (ACCENT, ACCENT_3, ACCENT_2, (120, 170, 110))
    prev = None
    for i in range(0, 21):
        x = 20 + i * 30
        y = 48 + 30 * math.sin(math.pi * i / 20)
        if prev:
            draw.line([prev, (x, y)], fill=INK, width=2)
        if i < 20:
            draw.polygon(
                [(x + 4, y + 1), (x + 26, y + 3), (x + 15, y + 26)], fill=colours[i % len(colours)]
            )
        prev = (x, y)
    return img


def bar_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[int], tuple[int, int, int]]],
    unit: str,
    note: str,
) -> Image.Image:
    """A grouped bar chart with a legend, axis ticks and a small source note."""
    img = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(img)
    draw.text((32, 22), title, font=font(20), fill=INK)
    left, right, top, bottom = 80, 610, 80, 340
    peak = max(max(values) for _, values, _ in series)
    step = 10 ** max(0, len(str(peak)) - 1)
    ceiling = math.ceil(peak / step) * step
    if ceiling / step < 4:
        step //= 2 if step > 1 else 1
    for v in range(0, ceiling + 1, step):
        y = bottom - (bottom - top) * v / ceiling
        draw.line([(left, y), (right, y)], fill=(226, 222, 212), width=1)
        draw.text((left - 8, y), f"{v:,}", font=font(12), fill=MUTED, anchor="rm")
    draw.line([(left, bottom), (right, bottom)], fill=INK, width=2)
    group = (right - left) / len(labels)
    bar = group * 0.7 / len(series)
    for i, label in enumerate(labels):
        gx = left + i * group + group * 0.15
        for j, (_, values, colour) in enumerate(series):
            x0 = gx + j * bar
            y0 = bottom - (bottom - top) * values[i] / ceiling
            draw.rectangle([x0, y0, x0 + bar - 3, bottom], fill=colour)
        draw.text(
            (left + i * group + group / 2, bottom + 14), label, font=font(13), fill=INK, anchor="mm"
        )
    lx = left
    for name, _, colour in series:
        draw.rectangle([lx, 54, lx + 12, 66], fill=colour)
        draw.text((lx + 18, 60), name, font=font(13), fill=INK, anchor="lm")
        lx += 30 + int(draw.textlength(name, font=font(13)))
    draw.text((right, 60), unit, font=font(12), fill=MUTED, anchor="rm")
    draw.text((32, 372), note, font=font(12), fill=MUTED)
    return img


def foster_chart() -> Image.Image:
    return bar_chart(
        "Children placed with foster families vs. residential homes",
        ["2016", "2017", "2018", "2019", "2020"],
        [
            ("Foster families", [1840, 1910, 2050, 2260, 2610], ACCENT_2),
            ("Residential homes", [2730, 2650, 2480, 2210, 1890], ACCENT_3),
        ],
        "children at year end",
        "Illustrative figures for the fictional Republic of Valdoria (sample data).",
    )


def reunification_chart() -> Image.Image:
    return bar_chart(
        "Children returned home from care, by year",
        ["2020", "2021", "2022", "2023", "2024"],
        [
            ("Returned to birth family", [312, 348, 401, 466, 529], (96, 150, 110)),
            ("Placed with relatives", [140, 151, 177, 190, 214], ACCENT_3),
        ],
        "children",
        "Illustrative figures for the fictional Republic of Valdoria (sample data).",
    )


def basket_chart() -> Image.Image:
    return bar_chart(
        "Price of a 20-item weekly basket",
        ["Jun", "Jul", "Aug", "Sep", "Oct"],
        [
            ("Gullmart", [64, 61, 57, 52, 50], ACCENT),
            ("Fennick's", [66, 62, 56, 53, 51], ACCENT_2),
            ("Corvo Market", [63, 63, 60, 57, 56], (120, 170, 110)),
        ],
        "valdor (Vd)",
        "Illustrative figures for fictional supermarkets (sample data).",
    )


def inspection_document() -> Image.Image:
    """A report page with a folded corner, a checklist and an inspection stamp."""
    img = Image.new("RGB", SIZE, (226, 232, 236))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([196, 36, 456, 380], radius=6, fill=(196, 202, 208))  # shadow
    page = [(186, 26), (406, 26), (446, 66), (446, 370), (186, 370)]
    draw.polygon(page, fill=(255, 255, 255), outline=(170, 176, 184))
    draw.polygon([(406, 26), (406, 66), (446, 66)], fill=(220, 224, 230), outline=(170, 176, 184))
    draw.rectangle([206, 46, 386, 60], fill=ACCENT_2)
    draw.text((206, 70), "INSPECTION REPORT", font=font(14), fill=INK)
    for i in range(6):
        y = 104 + i * 34
        ok = i not in (2, 4)
        draw.rectangle([206, y, 222, y + 16], outline=INK, width=2)
        if ok:
            draw.line([(209, y + 8), (214, y + 13), (221, y + 2)], fill=(60, 140, 80), width=3)
        else:
            draw.line([(209, y + 3), (219, y + 13)], fill=ACCENT, width=3)
            draw.line([(219, y + 3), (209, y + 13)], fill=ACCENT, width=3)
        length = (170, 140, 190, 120, 160, 150)[i]
        draw.rounded_rectangle([234, y + 4, 234 + length, y + 11], radius=3, fill=(206, 210, 216))
    # stamp
    draw.ellipse([330, 290, 430, 360], outline=ACCENT, width=4)
    draw.ellipse([340, 298, 420, 352], outline=ACCENT, width=1)
    centred_text(draw, (380, 325), "REVIEWED", 13, ACCENT)
    # a pen beside the page
    draw.polygon([(500, 330), (580, 120), (596, 126), (516, 336)], fill=ACCENT_2)
    draw.polygon([(500, 330), (516, 336), (503, 352)], fill=(230, 210, 170))
    return img


def region_map() -> Image.Image:
    """A simple map: two countries, a sea, the Eastmarch region outlined, and towns."""
    img = Image.new("RGB", SIZE, (170, 206, 226))
    draw = ImageDraw.Draw(img)
    valdoria = [(0, 40), (120, 30), (230, 60), (300, 50), (330, 120), (310, 200), (340, 290),
                (300, 360), (200, 380), (0, 370)]  # fmt: skip
    kordavia = [(330, 120), (300, 50), (420, 20), (560, 40), (640, 30), (640, 300), (560, 330),
                (470, 300), (400, 330), (340, 290), (310, 200)]  # fmt: skip
    draw.polygon(valdoria, fill=(226, 222, 196), outline=(140, 134, 110))
    draw.polygon(kordavia, fill=(214, 200, 186), outline=(140, 134, 110))
    eastmarch = [(250, 150), (310, 130), (380, 150), (410, 220), (380, 280), (320, 300),
                 (260, 270), (240, 210)]  # fmt: skip
    draw.polygon(eastmarch, fill=(240, 200, 180))
    # dashed outline around the region
    for start, end in zip(eastmarch, eastmarch[1:] + eastmarch[:1], strict=True):
        dashed_line(draw, start, end, 10, ACCENT, 3)
    # river
    draw.line(
        [(150, 0), (170, 80), (230, 140), (290, 200), (300, 260), (270, 400)],
        fill=(120, 170, 210),
        width=4,
    )
    # dotted routes east
    for start, end in (((312, 244), (520, 118)), ((296, 286), (560, 246))):
        dashed_line(draw, start, end, 10, INK, 2)
        draw.polygon([end, (end[0] - 12, end[1] - 6), (end[0] - 10, end[1] + 8)], fill=INK)
    towns = {"Merrowick": (90, 120), "Dunmoor": (160, 60), "Carrowmere": (120, 300),
             "Tolvany": (330, 175), "Brenn": (300, 250), "Sarrow Ford": (280, 290),
             "Veshka": (540, 110), "Ostrel": (580, 250)}  # fmt: skip
    for name, (x, y) in towns.items():
        draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=INK)
        if name in ("Brenn", "Sarrow Ford"):  # labels left of the dot, clear of the routes
            draw.text((x - 8, y), name, font=font(12), fill=INK, anchor="rm")
        else:
            draw.text((x + 8, y), name, font=font(12), fill=INK, anchor="lm")
    draw.text((40, 200), "VALDORIA", font=font(18), fill=(120, 114, 90))
    draw.text((470, 180), "KORDAVIA", font=font(18), fill=(130, 112, 100))
    draw.text((262, 160), "EASTMARCH", font=font(12), fill=ACCENT, anchor="lm")
    draw.text((14, 382), "Fictional map, not to scale (sample data)", font=font(11), fill=INK)
    return img


def terminal_window() -> Image.Image:
    """An application window showing a process tree in a terminal."""
    img = Image.new("RGB", SIZE, (212, 222, 232))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([48, 36, 600, 372], radius=12, fill=(30, 36, 46))
    draw.rounded_rectangle([40, 28, 592, 364], radius=12, fill=(40, 46, 58))
    draw.rounded_rectangle([40, 28, 592, 62], radius=12, fill=(64, 72, 88))
    draw.rectangle([40, 50, 592, 62], fill=(64, 72, 88))
    for i, colour in enumerate(((236, 106, 94), (244, 190, 80), (98, 196, 98))):
        draw.ellipse([56 + i * 22, 38, 70 + i * 22, 52], fill=colour)
    draw.text(
        (316, 45),
        "lanternfish 4.2 - process view",
        font=font(13),
        fill=(220, 226, 236),
        anchor="mm",
    )
    lines = [
        ("$ lanternfish status --tree", (150, 220, 150)),
        ("lanternfishd (pid 4120)            running", (220, 226, 236)),
        ("  |- scheduler (pid 4121)          running", (220, 226, 236)),
        ("  |- child process: fetch #1       running", (220, 226, 236)),
        ("  |- child process: fetch #2       running", (220, 226, 236)),
        ("  |- child process: index          idle", (180, 188, 200)),
        ("  `- orphan reaper                 0 reaped", (244, 190, 80)),
        ("", (0, 0, 0)),
        ("queue: 12 jobs   workers: 3/4   uptime: 6d 02h", (140, 180, 230)),
        ("$ _", (150, 220, 150)),
    ]
    for i, (text, colour) in enumerate(lines):
        draw.text((62, 80 + i * 26), text, font=font(15), fill=colour)
    return img


def novel_cover() -> Image.Image:
    """A paperback on a table: a canal at night under a single street lamp."""
    img = Image.new("RGB", SIZE, (196, 156, 116))
    draw = ImageDraw.Draw(img)
    for y in range(0, H, 26):  # table planks
        draw.line([(0, y), (W, y)], fill=(180, 140, 102), width=2)
    draw.rectangle([232, 34, 452, 384], fill=(110, 80, 60))  # shadow
    draw.rectangle([220, 22, 440, 372], fill=(28, 40, 66))
    cover = Image.new("RGB", (220, 350))
    gradient(cover, (24, 34, 62), (60, 72, 110), 0, 220)
    cd = ImageDraw.Draw(cover)
    cd.rectangle([0, 220, 220, 350], fill=(22, 40, 60))
    for y in range(232, 350, 14):
        cd.line([(20, y), (200, y)], fill=(40, 64, 90), width=2)
    cd.polygon([(0, 140), (40, 140), (40, 120), (70, 100), (100, 120), (100, 150), (150, 150),
                (150, 110), (180, 110), (180, 160), (220, 160), (220, 220), (0, 220)],
               fill=(14, 20, 34))  # fmt: skip
    cd.line([(160, 80), (160, 220)], fill=(14, 20, 34), width=4)
    cd.ellipse([150, 68, 170, 88], fill=(255, 220, 140))
    cd.polygon([(160, 88), (120, 220), (200, 220)], fill=(60, 66, 90))
    cd.polygon([(140, 220), (180, 220), (196, 350), (124, 350)], fill=(90, 86, 90))
    cd.text((110, 30), "THE QUIET", font=font(22), fill=(250, 236, 200), anchor="mm")
    cd.text((110, 56), "LEDGER", font=font(22), fill=(250, 236, 200), anchor="mm")
    cd.text((110, 336), "a Carrowmere mystery", font=font(11), fill=(220, 210, 190), anchor="mm")
    img.paste(cover, (220, 22))
    # a cup of tea beside it
    draw.ellipse([500, 250, 600, 300], fill=(240, 240, 236))
    draw.ellipse([510, 256, 590, 292], fill=(150, 100, 60))
    draw.arc([586, 256, 620, 290], start=270, end=90, fill=(240, 240, 236), width=6)
    return img


def tribunal_building() -> Image.Image:
    """A columned court building with steps and two flags."""
    img = Image.new("RGB", SIZE)
    gradient(img, (200, 214, 228), (236, 236, 232), 0, 330)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 330, W, H], fill=(190, 186, 176))
    draw.polygon([(130, 120), (320, 50), (510, 120)], fill=STONE)
    draw.polygon([(160, 112), (320, 62), (480, 112)], fill=(226, 220, 206))
    draw.rectangle([130, 120, 510, 138], fill=STONE_DARK)
    for i in range(8):
        x = 150 + i * 46
        draw.rectangle([x, 138, x + 22, 290], fill=(236, 230, 216))
        draw.rectangle([x - 4, 138, x + 26, 146], fill=STONE_DARK)
        draw.rectangle([x - 4, 282, x + 26, 290], fill=STONE_DARK)
        for g in (6, 11, 16):
            draw.line([(x + g, 148), (x + g, 280)], fill=(214, 206, 190), width=1)
    draw.rectangle([296, 200, 344, 282], fill=(96, 84, 72))
    for i in range(4):
        draw.rectangle(
            [110 - i * 14, 290 + i * 10, 530 + i * 14, 300 + i * 10],
            fill=(206 - i * 6, 200 - i * 6, 188 - i * 6),
        )
    for x, colour in ((70, ACCENT_2), (570, (80, 140, 110))):
        draw.line([(x, 90), (x, 330)], fill=(90, 90, 96), width=4)
        draw.polygon([(x + 2, 92), (x + 56, 100), (x + 2, 126)], fill=colour)
    draw.text((320, 100), "TRIBUNAL", font=font(12), fill=(120, 110, 96), anchor="mm")
    return img


def childrens_home() -> Image.Image:
    """A two-storey house with a garden, a fence and a swing."""
    img = Image.new("RGB", SIZE)
    gradient(img, SKY_TOP, (226, 236, 240), 0, 280)
    draw = ImageDraw.Draw(img)
    hill(draw, 200, 14, 110, 2.0, HILL)
    draw.rectangle([0, 280, W, H], fill=GRASS)
    draw.rectangle([200, 150, 440, 300], fill=(236, 214, 170))
    draw.polygon([(180, 152), (320, 70), (460, 152)], fill=ROOF)
    draw.rectangle([380, 84, 400, 120], fill=(140, 70, 56))
    for x in (224, 290, 356):
        for y in (172, 230):
            if (x, y) == (290, 230):
                continue
            draw.rectangle(
                [x, y, x + 40, y + 36], fill=(180, 206, 222), outline=(255, 255, 255), width=3
            )
    draw.rectangle([296, 236, 336, 300], fill=(110, 80, 60))
    draw.ellipse([326, 266, 332, 272], fill=ACCENT_3)
    for x in range(0, W, 20):  # fence
        if 296 <= x <= 336:
            continue
        draw.rectangle([x, 310, x + 8, 350], fill=(250, 250, 246))
    draw.rectangle([0, 320, W, 326], fill=(250, 250, 246))
    # swing frame on the right
    draw.line([(500, 300), (530, 200), (560, 300)], fill=(110, 84, 60), width=5)
    draw.line([(560, 300), (590, 200), (620, 300)], fill=(110, 84, 60), width=5)
    draw.line([(530, 200), (590, 200)], fill=(110, 84, 60), width=5)
    draw.line([(548, 200), (548, 262)], fill=INK, width=2)
    draw.line([(572, 200), (572, 262)], fill=INK, width=2)
    draw.rectangle([544, 262, 576, 268], fill=ACCENT)
    tree(draw, 110, 300, 150)
    tree(draw, 60, 300, 100, HILL)
    return img


def football_pitch() -> Image.Image:
    """A pitch seen from above with mown stripes, lines, a ball and the score."""
    img = Image.new("RGB", SIZE, (70, 140, 80))
    draw = ImageDraw.Draw(img)
    for i, x in enumerate(range(20, 620, 50)):
        draw.rectangle([x, 40, x + 50, 380], fill=(84, 158, 92) if i % 2 else (74, 146, 84))
    white = (240, 246, 240)
    draw.rectangle([20, 40, 620, 380], outline=white, width=3)
    draw.line([(320, 40), (320, 380)], fill=white, width=3)
    draw.ellipse([270, 160, 370, 260], outline=white, width=3)
    draw.ellipse([316, 206, 324, 214], fill=white)
    for x0, x1 in ((20, 110), (530, 620)):
        draw.rectangle([x0, 120, x1, 300], outline=white, width=3)
    for x0, x1 in ((20, 50), (590, 620)):
        draw.rectangle([x0, 170, x1, 250], outline=white, width=3)
    draw.rectangle([8, 186, 20, 234], outline=white, width=3)
    draw.rectangle([620, 186, 632, 234], outline=white, width=3)
    # ball
    draw.ellipse([440, 140, 462, 162], fill=(255, 255, 255), outline=INK, width=2)
    draw.regular_polygon((451, 151, 5), 5, fill=INK)
    # scoreboard strip
    draw.rounded_rectangle([180, 6, 460, 34], radius=8, fill=(30, 36, 46))
    draw.text(
        (320, 20), "DUNMOOR 2 - 1 CARROWMERE", font=font(14), fill=(255, 255, 255), anchor="mm"
    )
    return img


def river_bridge() -> Image.Image:
    """A river valley with a stone bridge missing its middle span."""
    img = Image.new("RGB", SIZE)
    gradient(img, (176, 196, 214), (228, 226, 216), 0, 230)
    draw = ImageDraw.Draw(img)
    hill(draw, 170, 22, 100, 0.3, (150, 170, 150))
    hill(draw, 215, 16, 70, 1.7, HILL)
    draw.polygon([(0, 260), (W, 250), (W, H), (0, H)], fill=(112, 160, 196))
    for y in range(275, H, 20):
        for x in range((y * 7) % 60, W, 90):
            draw.line([(x, y), (x + 30, y)], fill=(150, 190, 220), width=2)
    draw.polygon([(0, 230), (180, 240), (220, 262), (0, 268)], fill=GRASS_DARK)
    draw.polygon([(460, 262), (500, 236), (W, 228), (W, 258)], fill=GRASS_DARK)
    deck = (196, 186, 168)
    draw.rectangle([120, 200, 290, 216], fill=deck)
    draw.rectangle([370, 200, 560, 216], fill=deck)
    for x in (150, 230, 420, 500):
        draw.rectangle([x, 216, x + 20, 270], fill=STONE_DARK)
        draw.arc([x + 20, 214, x + 80, 274], start=180, end=360, fill=STONE_DARK, width=8)
    # broken ends and fallen stones
    draw.polygon([(290, 200), (300, 204), (296, 216), (290, 216)], fill=deck)
    draw.polygon([(370, 200), (362, 207), (366, 216), (370, 216)], fill=deck)
    for x, y in ((316, 276), (334, 284), (348, 272)):
        draw.rectangle([x, y, x + 14, y + 8], fill=STONE_DARK)
    for x in (40, 70, 560, 600):
        tree(draw, x, 236, 56)
    return img


IMAGES: dict[str, Callable[[], Image.Image]] = {
    "dunmoor-ward.jpg": hospital_ward,
    "tolvany-market.jpg": market_square_at_dusk,
    "harvest-festival.jpg": harvest_fields,
    "images/foster-placements-chart.png": foster_chart,
    "images/inspection-report.png": inspection_document,
    "images/eastmarch-map.png": region_map,
    "images/lanternfish-process-view.png": terminal_window,
    "images/quiet-ledger-cover.png": novel_cover,
    "images/tribunal-building.jpg": tribunal_building,
    "images/brenn-childrens-home.jpg": childrens_home,
    "images/basket-prices.png": basket_chart,
    "images/cup-final.jpg": football_pitch,
    "bulk/images/reunification-chart.png": reunification_chart,
    "bulk/images/sarrow-ford-bridge.jpg": river_bridge,
}


def save(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        # A palette keeps flat-colour drawings small; the order of colours is stable.
        img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
    else:
        img.save(path, quality=85, optimize=True)


def main() -> None:
    for name, draw in IMAGES.items():
        path = SAMPLE / name
        save(draw(), path)
        print(f"{path.relative_to(SAMPLE.parent)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
