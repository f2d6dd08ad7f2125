"""GTSRB loading: images cropped around their sign, class ids, tracks and labels.

Two official layouts are read:

- training: ``Images/000CC/GT-000CC.csv`` with images ``TTTTT_FFFFF.ppm``
  (image FFFFF of track TTTTT of class CC). The root may be the folder that
  contains ``Images`` or ``Images`` itself.
- test: one flat folder of ``NNNNN.ppm`` images and ``GT-final_test.csv``,
  which has the same columns, ClassId included. The CSV may lie beside the
  images or beside their ``Images`` folder.

Each CSV row gives the size of the original crop (Width, Height) and the
sign's bounding box in it (Roi.X1..Roi.Y2, inclusive pixel coordinates). The
box is scaled to the size of the image file, because a copy of the data set
may hold images resized from those crops.

The class table ``gtsrb_classes.yaml`` gives the attributes of every class,
and ``class_attributes`` and ``attribute_records`` turn it into label records
for ``signrules.attributes.labels.encode_labels``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import PIL
import yaml
from signrules.attributes.decode import decode_pil, resize_square
from signrules.attributes.errors import DatasetError, ImageError, SchemaError
from signrules.attributes.schema import Schema, default_schema
from signrules.attributes.splits import GTSRB_VAL_TRACKS_PATH, read_track_list
from tqdm import tqdm

__all__ = [
    "CLASS_TABLE_PATH",
    "TEST_CSV_NAME",
    "TRACK_ID_FACTOR",
    "Annotation",
    "GTSRBData",
    "attribute_records",
    "class_attributes",
    "load_gtsrb",
    "read_annotations",
    "split_by_track",
    "track_id",
    "validation_tracks",
]

logger = logging.getLogger(__name__)

#: Attribute table of the 43 GTSRB classes.
CLASS_TABLE_PATH = Path(__file__).with_name("gtsrb_classes.yaml")

#: Name of the ground-truth CSV of the official test set.
TEST_CSV_NAME = "GT-final_test.csv"

#: Multiplier of the class id in a track id, so that track ids are unique
#: across classes: track 3 of class 14 has id 1_400_003.
TRACK_ID_FACTOR = 100_000

_CSV_COLUMNS = ("Filename", "Width", "Height", "Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2", "ClassId")
_CLASS_FOLDER = re.compile(r"\d{5}")
_TRAINING_FILENAME = re.compile(r"(\d{5})_\d{5}\.ppm")

# Bump when the cropping or resizing changes, so that old cache files are
# not read as if they were current.
_CACHE_FORMAT = 2

# Keys of a class-table entry that describe the sign for people and are not
# attributes of the schema.
_DESCRIPTIVE_KEYS = ("name", "stvo", "pictogram")


class Annotation(NamedTuple):
    """One row of a GTSRB annotation CSV, with its file and line for messages."""

    path: Path
    width: int
    height: int
    roi: tuple[int, int, int, int]
    class_id: int
    track_id: int
    csv_path: Path
    line: int


@dataclass
class GTSRBData:
    """GTSRB images cropped around their sign, with one entry per image.

    ``rois`` has shape (N, 4) float32: the sign's box (left, top, right,
    bottom) in pixel coordinates of the returned image, right and bottom
    exclusive. ``sign_sizes`` has shape (N,) float32: the side of the sign
    in pixels of the photo the annotation describes (the mean of its
    ROI's width and height). A copy resized after annotation, as the
    32-pixel copy of GTSRB is, keeps the size the sign was photographed
    at, which decides how much detail the image keeps. ``track_ids`` is
    -1 for the test layout, which has no tracks.
    """

    images: np.ndarray
    class_ids: np.ndarray
    track_ids: np.ndarray
    paths: list[str]
    rois: np.ndarray
    sign_sizes: np.ndarray

    def __len__(self) -> int:
        return len(self.class_ids)

    def subset(self, indices: Sequence[int] | np.ndarray) -> GTSRBData:
        """Return the entries at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        return GTSRBData(
            images=self.images[indices],
            class_ids=self.class_ids[indices],
            track_ids=self.track_ids[indices],
            paths=[self.paths[i] for i in indices],
            rois=self.rois[indices],
            sign_sizes=self.sign_sizes[indices],
        )


def track_id(class_id: int, track: int) -> int:
    """Return the track id that is unique across classes."""
    return class_id * TRACK_ID_FACTOR + track


def load_gtsrb(
    root: str | os.PathLike,
    *,
    classes: Iterable[int] | None = None,
    size: int = 32,
    margin: float = 0.1,
    progress: bool = False,
    cache: bool = True,
) -> GTSRBData:
    """Load GTSRB images, each cropped around its sign and resized to ``size``.

    ``root`` is a folder of the training or the test layout (see the module
    docstring). ``classes`` limits loading to those class ids.

    Each image is cropped to its ROI widened by ``margin`` times the ROI's
    width and height on every side, clamped to the image, then resized to
    size x size without keeping the aspect ratio. The original GTSRB crops
    have about 10 % margin around the sign, as a generic crop around a sign
    has. The default of 0.1 keeps that framing, and brings images that are
    framed more loosely or tightly to it.

    The result is cached on disk under $SIGNRULES_CACHE, or under
    ~/.cache/signrules when that is unset. The cache is keyed by the root,
    every file's name, size and mtime, the parameters and the Pillow version.
    ``cache=False`` neither reads nor writes the cache.

    Raises DatasetError naming the folder, or the CSV file and line of a bad
    row, missing image or unreadable image.
    """
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size}")
    if margin < 0:
        raise ValueError(f"margin must be zero or positive, got {margin}")

    root = Path(root).resolve()
    class_filter = None if classes is None else sorted({int(c) for c in classes})
    annotations = read_annotations(root, classes=class_filter)

    key = None
    if cache:
        key = _cache_key(root, annotations, class_filter, size, margin)
        cached = _read_cache(key)
        if cached is not None:
            return cached

    data = _load_images(annotations, size, margin, progress)

    if key is not None:
        _write_cache(key, data)
    return data


def read_annotations(
    root: str | os.PathLike, *, classes: Sequence[int] | None = None
) -> list[Annotation]:
    """Read and check every annotation row of a GTSRB folder of either layout."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: GTSRB folder not found")

    class_folders = _find_class_folders(root)
    if class_folders:
        return _read_training_annotations(root, class_folders, classes)

    test_csv, image_folder = _find_test_csv(root)
    annotations = _read_csv(test_csv, image_folder, expected_class=None)
    if classes is not None:
        requested = set(classes)
        annotations = [a for a in annotations if a.class_id in requested]
    return annotations


def _find_class_folders(root: Path) -> list[Path]:
    for images_folder in (root / "Images", root):
        if not images_folder.is_dir():
            continue
        folders = [p for p in images_folder.iterdir() if _CLASS_FOLDER.fullmatch(p.name)]
        if folders:
            return sorted(p for p in folders if p.is_dir())
    return []


def _find_test_csv(root: Path) -> tuple[Path, Path]:
    images_folder = root / "Images"
    if (root / TEST_CSV_NAME).is_file():
        return root / TEST_CSV_NAME, images_folder if images_folder.is_dir() else root
    if (images_folder / TEST_CSV_NAME).is_file():
        return images_folder / TEST_CSV_NAME, images_folder

    hint = ""
    without_labels = "GT-final_test.test.csv"
    if (root / without_labels).is_file() or (images_folder / without_labels).is_file():
        hint = (
            " GT-final_test.test.csv has no ClassId column; put the ground truth"
            f" {TEST_CSV_NAME} beside it."
        )
    raise DatasetError(
        f"{root}: not a GTSRB folder. Expected class folders Images/000CC with "
        f"GT-000CC.csv (training layout) or {TEST_CSV_NAME} beside the images or "
        f"their Images folder (test layout).{hint}"
    )


def _read_training_annotations(
    root: Path, class_folders: list[Path], classes: Sequence[int] | None
) -> list[Annotation]:
    by_class = {int(folder.name): folder for folder in class_folders}
    if classes is not None:
        missing = [c for c in classes if c not in by_class]
        if missing:
            raise DatasetError(
                f"{root}: no class folder for class ids {missing}; "
                f"found classes {min(by_class)}..{max(by_class)}"
            )
        by_class = {c: by_class[c] for c in classes}

    annotations = []
    for class_id, folder in by_class.items():
        csv_path = folder / f"GT-{folder.name}.csv"
        if not csv_path.is_file():
            raise DatasetError(f"{csv_path}: annotation file of class {class_id} not found")
        annotations.extend(_read_csv(csv_path, folder, expected_class=class_id))
    return annotations


def _read_csv(csv_path: Path, image_folder: Path, expected_class: int | None) -> list[Annotation]:
    """Read one annotation CSV. ``expected_class`` is None for the test layout."""
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file, delimiter=";")
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in _CSV_COLUMNS if name not in header]
            if missing:
                raise DatasetError(
                    f"{csv_path}:1: header lacks the columns {', '.join(missing)}; "
                    f"expected {';'.join(_CSV_COLUMNS)}"
                )
            columns = [header.index(name) for name in _CSV_COLUMNS]

            annotations = []
            for row in reader:
                if not any(field.strip() for field in row):
                    continue
                where = f"{csv_path}:{reader.line_num}"
                if len(row) != len(header):
                    raise DatasetError(
                        f"{where}: expected {len(header)} ';'-separated fields, got {len(row)}"
                    )
                fields = [row[i].strip() for i in columns]
                annotations.append(
                    _parse_row(
                        fields, where, csv_path, reader.line_num, image_folder, expected_class
                    )
                )
    except OSError as error:
        raise DatasetError(f"{csv_path}: cannot read annotation file: {error.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{csv_path}: invalid CSV: {error}") from None

    if not annotations:
        raise DatasetError(f"{csv_path}: annotation file has no rows")
    return annotations


def _parse_row(
    fields: list[str],
    where: str,
    csv_path: Path,
    line: int,
    image_folder: Path,
    expected_class: int | None,
) -> Annotation:
    filename = fields[0]
    numbers = []
    for column, value in zip(_CSV_COLUMNS[1:], fields[1:]):
        try:
            numbers.append(int(value))
        except ValueError:
            raise DatasetError(f'{where}: invalid {column} "{value}": expected an integer') from None
    width, height, x1, y1, x2, y2, class_id = numbers

    if width < 1 or height < 1:
        raise DatasetError(f"{where}: invalid image size {width}x{height}")
    if not (0 <= x1 < x2 < width and 0 <= y1 < y2 < height):
        raise DatasetError(
            f"{where}: ROI ({x1}, {y1}, {x2}, {y2}) does not lie inside the "
            f"{width}x{height} image with X1 < X2 and Y1 < Y2"
        )
    if class_id < 0:
        raise DatasetError(f"{where}: invalid ClassId {class_id}: expected a class id of 0 or more")
    if Path(filename).name != filename or not filename:
        raise DatasetError(f'{where}: Filename "{filename}" must be a file name without folders')

    if expected_class is None:
        track = -1
    else:
        if class_id != expected_class:
            raise DatasetError(
                f"{where}: ClassId {class_id} differs from the class folder's {expected_class}"
            )
        match = _TRAINING_FILENAME.fullmatch(filename)
        if match is None:
            raise DatasetError(
                f'{where}: Filename "{filename}" does not match TTTTT_FFFFF.ppm '
                "(track and frame number)"
            )
        track = track_id(class_id, int(match.group(1)))

    return Annotation(
        path=image_folder / filename,
        width=width,
        height=height,
        roi=(x1, y1, x2, y2),
        class_id=class_id,
        track_id=track,
        csv_path=csv_path,
        line=line,
    )


def _load_images(
    annotations: list[Annotation], size: int, margin: float, progress: bool
) -> GTSRBData:
    count = len(annotations)
    images = np.empty((count, size, size, 3), dtype=np.uint8)
    rois = np.empty((count, 4), dtype=np.float32)
    sizes = np.empty(count, dtype=np.float32)

    rows = tqdm(annotations, desc="GTSRB", unit="img", disable=not progress)
    for index, annotation in enumerate(rows):
        try:
            image = decode_pil(annotation.path)
        except ImageError as error:
            raise DatasetError(f"{annotation.csv_path}:{annotation.line}: {error}") from None

        box, rois[index] = _crop_box(annotation, image.size, margin, size)
        sizes[index] = _sign_size(annotation)
        images[index] = resize_square(image, size, box=box)

    return GTSRBData(
        images=images,
        class_ids=np.array([a.class_id for a in annotations], dtype=np.int64),
        track_ids=np.array([a.track_id for a in annotations], dtype=np.int64),
        paths=[str(a.path) for a in annotations],
        rois=rois,
        sign_sizes=sizes,
    )


def _sign_size(annotation: Annotation) -> float:
    """Return the mean of the ROI's width and height in the annotated photo's pixels (the ROI is inclusive)."""
    x1, y1, x2, y2 = annotation.roi
    return ((x2 - x1 + 1) + (y2 - y1 + 1)) / 2


def _crop_box(
    annotation: Annotation, image_size: tuple[int, int], margin: float, size: int
) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """Return the crop box in the file's pixels and the ROI in output pixels."""
    image_width, image_height = image_size
    scale_x = image_width / annotation.width
    scale_y = image_height / annotation.height

    # The CSV's ROI is inclusive, so its right edge is one pixel past X2.
    x1, y1, x2, y2 = annotation.roi
    left, right = x1 * scale_x, (x2 + 1) * scale_x
    top, bottom = y1 * scale_y, (y2 + 1) * scale_y

    pad_x = margin * (right - left)
    pad_y = margin * (bottom - top)
    box = (
        max(0.0, left - pad_x),
        max(0.0, top - pad_y),
        min(float(image_width), right + pad_x),
        min(float(image_height), bottom + pad_y),
    )

    to_output_x = size / (box[2] - box[0])
    to_output_y = size / (box[3] - box[1])
    roi = np.array(
        [
            (left - box[0]) * to_output_x,
            (top - box[1]) * to_output_y,
            (right - box[0]) * to_output_x,
            (bottom - box[1]) * to_output_y,
        ],
        dtype=np.float32,
    )
    return box, roi


def cache_root() -> Path:
    """Return $SIGNRULES_CACHE if set, else ~/.cache/signrules."""
    configured = os.environ.get("SIGNRULES_CACHE")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "signrules"


def _cache_key(
    root: Path,
    annotations: list[Annotation],
    classes: list[int] | None,
    size: int,
    margin: float,
) -> str:
    """Hash everything the loaded arrays depend on.

    The stat of every image and CSV catches a replaced, added or removed
    file, and the Pillow version a change of its resampling.
    """
    digest = hashlib.sha256()
    parameters = {
        "format": _CACHE_FORMAT,
        "pillow": PIL.__version__,
        "root": str(root),
        "classes": classes,
        "size": size,
        "margin": margin,
    }
    digest.update(json.dumps(parameters, sort_keys=True).encode())

    # The CSV contents (ROIs, class ids) are covered by the CSV files' stat.
    for csv_path in dict.fromkeys(a.csv_path for a in annotations):
        digest.update(_stat_line(csv_path))
    for annotation in annotations:
        digest.update(_stat_line(annotation.path, f"{annotation.csv_path}:{annotation.line}: "))
    return digest.hexdigest()


def _stat_line(path: Path, where: str = "") -> bytes:
    """Return the path, size and mtime of a file as one line of bytes.

    ``where`` prefixes the error message, for example with a CSV file and line.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DatasetError(f"{where}{path}: file not found") from None
    except OSError as error:
        raise DatasetError(f"{where}{path}: cannot read file: {error.strerror}") from None
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()


def _cache_path(key: str) -> Path:
    return cache_root() / f"gtsrb-{key[:32]}.npz"


def _read_cache(key: str) -> GTSRBData | None:
    path = _cache_path(key)
    if not path.is_file():
        logger.info("no GTSRB cache at %s; decoding the images", path)
        return None

    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != key:
                logger.warning("ignoring GTSRB cache %s: it was written for other files", path)
                return None
            data = GTSRBData(
                images=stored["images"],
                class_ids=stored["class_ids"],
                track_ids=stored["track_ids"],
                paths=stored["paths"].tolist(),
                rois=stored["rois"],
                sign_sizes=stored["sign_sizes"],
            )
    except (OSError, ValueError, KeyError) as error:
        logger.warning("ignoring unreadable GTSRB cache %s: %s", path, error)
        return None

    logger.info("read %d GTSRB images from cache %s", len(data), path)
    return data


def _write_cache(key: str, data: GTSRBData) -> None:
    path = _cache_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)

        # Write to a temporary file and rename it, so that a reader never sees
        # a half-written cache file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gtsrb-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(
                    file,
                    key=np.array(key),
                    images=data.images,
                    class_ids=data.class_ids,
                    track_ids=data.track_ids,
                    paths=np.array(data.paths, dtype=str),
                    rois=data.rois,
                    sign_sizes=data.sign_sizes,
                )
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        # A cache that cannot be written costs only time on the next load.
        logger.warning("cannot write GTSRB cache %s: %s", path, error)
        return

    logger.info("wrote GTSRB cache %s", path)


def validation_tracks(path: str | os.PathLike | None = None) -> frozenset[int]:
    """Return the track ids of the committed validation split (see ``track_id``)."""
    pairs = read_track_list(GTSRB_VAL_TRACKS_PATH if path is None else path)
    return frozenset(track_id(class_id, track) for class_id, track in pairs)


def split_by_track(
    data: GTSRBData, tracks: Iterable[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Split entries into (train_indices, validation_indices) by their track.

    ``tracks`` are the validation track ids, by default ``validation_tracks()``.
    Every image of a track falls on the same side, because the ~30 images of
    one track are near-duplicates.
    """
    if len(data) and (data.track_ids < 0).any():
        raise DatasetError(
            "cannot split by track: these images have no track ids (the test layout "
            "has none); split the training layout instead"
        )

    tracks = validation_tracks() if tracks is None else frozenset(tracks)
    is_validation = np.isin(data.track_ids, np.fromiter(tracks, dtype=np.int64, count=len(tracks)))
    return np.flatnonzero(~is_validation), np.flatnonzero(is_validation)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a repeated mapping key instead of keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"repeated key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def class_attributes(
    path: str | os.PathLike | None = None, *, schema: Schema | None = None
) -> dict[int, dict]:
    """Read the GTSRB class table and check every value against the schema.

    Returns one dict per class id with the schema's categorical and string
    attributes plus ``name``, ``stvo`` and ``pictogram``. Raises SchemaError
    naming the file, the class and the value that is invalid.
    """
    path = Path(CLASS_TABLE_PATH if path is None else path)
    schema = default_schema() if schema is None else schema

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except OSError as error:
        raise SchemaError(f"{path}: cannot read class table: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SchemaError(f"{path}: invalid YAML: {error}") from None

    entries = data.get("classes") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise SchemaError(f'{path}: expected a mapping "classes" of class id to attributes')

    table = {}
    for class_id, entry in entries.items():
        if not isinstance(class_id, int) or class_id < 0:
            raise SchemaError(f"{path}: class id {class_id!r} is not a non-negative integer")
        table[class_id] = _check_class_entry(entry, schema, f"{path}: class {class_id}")
    return table


def _check_class_entry(entry: object, schema: Schema, where: str) -> dict:
    if not isinstance(entry, dict):
        raise SchemaError(f"{where}: expected a mapping of attribute to value")

    required = (*schema.categorical, *schema.strings, *_DESCRIPTIVE_KEYS)
    missing = [key for key in required if key not in entry]
    if missing:
        raise SchemaError(f"{where}: missing {', '.join(missing)}")
    unknown = [key for key in entry if key not in required]
    if unknown:
        raise SchemaError(f"{where}: unknown keys {', '.join(map(str, unknown))}")

    # Values are compared as strings. YAML reads an unquoted 20 as an integer
    # and an unquoted no as a boolean, so the table must quote them.
    for key, value in entry.items():
        if not isinstance(value, str):
            raise SchemaError(f"{where}: {key} must be a quoted string, got {value!r}")

    try:
        for name, attribute in schema.categorical.items():
            attribute.index(entry[name])
        for name, attribute in schema.strings.items():
            attribute.check(entry[name])
    except SchemaError as error:
        raise SchemaError(f"{where}: {error}") from None

    if not entry["name"]:
        raise SchemaError(f"{where}: name is empty")
    return dict(entry)


def attribute_records(
    class_ids: Iterable[int], *, table: dict[int, dict] | None = None
) -> list[dict]:
    """Return one label record per class id, for ``labels.encode_labels``.

    A record has every categorical and string attribute of the class table,
    and ``pictogram`` set to the GTSRB class id. ``table`` defaults to
    ``class_attributes()``.
    """
    table = class_attributes() if table is None else table
    schema = default_schema()
    names = [*schema.categorical, *schema.strings]

    records = []
    by_class: dict[int, dict] = {}
    for class_id in class_ids:
        class_id = int(class_id)
        if class_id not in by_class:
            if class_id not in table:
                raise DatasetError(
                    f"class id {class_id} is not in the GTSRB class table ({CLASS_TABLE_PATH.name})"
                )
            by_class[class_id] = {name: table[class_id][name] for name in names}
            by_class[class_id]["pictogram"] = class_id
        records.append(dict(by_class[class_id]))
    return records
