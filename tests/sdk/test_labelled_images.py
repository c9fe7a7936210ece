"""Labelled image sets as dataset records: a folder of class folders or a CSV of
paths and labels, PNG and JPEG, grayscale and colour, large images scaled."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import aiaas
from aiaas._uploads import Upload
from aiaas.inputs import labelled_images


def save(path: Path, mode: str = "L", size: int = 40, fmt: str = "PNG", seed: int = 0) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 255, (size, size), dtype=np.uint8)
    Image.fromarray(pixels).convert(mode).save(path, format=fmt)
    return path.read_bytes()


def test_a_folder_of_class_folders_gives_one_record_an_image(tmp_path: Path) -> None:
    crazing = save(tmp_path / "crazing" / "a.png")
    save(tmp_path / "crazing" / "b.JPG", mode="RGB", fmt="JPEG")
    save(tmp_path / "scratches" / "c.jpeg", fmt="JPEG")
    (tmp_path / "scratches" / "notes.txt").write_text("not an image")
    (tmp_path / ".thumbnails").mkdir()
    records = list(labelled_images(tmp_path))
    assert [r["label"] for r in records] == ["crazing", "crazing", "scratches"]
    assert base64.b64decode(records[0]["image"]) == crazing
    sent = aiaas.inputs.image(tmp_path / "crazing" / "b.JPG")
    assert sent == {"image": records[1]["image"]}


def test_a_csv_of_paths_and_labels(tmp_path: Path) -> None:
    save(tmp_path / "shots" / "1.png")
    save(tmp_path / "shots" / "2.jpg", fmt="JPEG")
    listing = tmp_path / "labels.csv"
    listing.write_text("path,label\nshots/1.png,pitted_surface\nshots/2.jpg,no_defect\n")
    records = list(labelled_images(listing, image="photo", label="class"))
    assert [sorted(r) for r in records] == [["class", "photo"]] * 2
    assert [r["class"] for r in records] == ["pitted_surface", "no_defect"]
    listing.write_text("file,label\nshots/1.png,x\n")
    with pytest.raises(ValueError, match="'path' and 'label'"):
        list(labelled_images(listing))


def test_mistakes_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "patches").mkdir()
    (tmp_path / "patches" / "fake.png").write_bytes(b"GIF89a....")
    with pytest.raises(ValueError, match=r"fake\.png is not a PNG or JPEG"):
        list(labelled_images(tmp_path))
    with pytest.raises(FileNotFoundError):
        list(labelled_images(tmp_path / "missing"))
    empty = tmp_path / "empty"
    (empty / "inclusion").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"hold no \.png"):
        list(labelled_images(empty))


def test_an_image_too_large_for_a_cell_is_scaled_to_grey(tmp_path: Path) -> None:
    big = save(tmp_path / "scale" / "big.png", mode="RGB", size=1200)
    assert len(big) > 96 * 1024
    (record,) = labelled_images(tmp_path)
    data = base64.b64decode(record["image"])
    assert len(data) <= 96 * 1024
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "L"
        assert 128 <= max(image.size) <= 512


def test_a_folder_path_uploads_as_json_lines(tmp_path: Path) -> None:
    save(tmp_path / "crazing" / "a.png")
    upload = Upload(tmp_path, None)
    assert upload.format == "jsonl"
    lines = b"".join(upload.chunks()).decode().splitlines()
    assert len(lines) == 1
    assert '"label":"crazing"' in lines[0].replace(" ", "")
