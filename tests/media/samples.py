"""Builders for the real files the media tests use (rendered, synthesised or hand-crafted)."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

TRACEBACK = """$ python manage.py runserver
Traceback (most recent call last):
  File "app.py", line 17, in <module>
    main()
  File "auth.py", line 42, in login
    token = make_token(user, expires)
TypeError: make_token() takes 1 positional argument but 2 were given
"""

SPEECH = (
    "Please reset the password before the session expires. "
    "The access token is stored in the database and must be rotated every week."
)

_FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def traceback_screenshot(size: tuple[int, int] = (1280, 720)) -> bytes:
    """A dark terminal window showing a Python traceback, as a PNG."""
    im = Image.new("RGB", size, (30, 30, 36))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, size[0], 28), fill=(60, 60, 70))
    y = 60
    for line in TRACEBACK.splitlines():
        colour = (255, 110, 100) if line.startswith("TypeError") else (220, 220, 220)
        draw.text((24, y), line, font=font(20), fill=colour)
        y += 32
    return encode(im, "PNG")


def encode(im: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kwargs)
    return out.getvalue()


def two_colour(size: tuple[int, int] = (800, 600), fmt: str = "JPEG") -> bytes:
    """Left half green, right half blue."""
    im = Image.new("RGB", size, (20, 170, 60))
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(30, 70, 200))
    return encode(im, fmt)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def pixel_bomb_png(side: int = 20000) -> bytes:
    """A ~48 KB PNG that declares side x side 1-bit pixels (all zero)."""
    row = b"\x00" * (1 + side // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise FileNotFoundError(binary)
    return path


def speech_wav(path: Path, text: str = SPEECH) -> Path:
    """espeak-ng speech converted to 16 kHz mono 16-bit with sox."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run([need("espeak-ng"), "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True)
    subprocess.run([need("sox"), str(raw), "-r", "16000", "-c", "1", "-b", "16", str(path)], check=True)
    raw.unlink()
    return path


def sox_synth(path: Path, seconds: float, *effect: str) -> Path:
    """sox-generated audio: silence (no effect) or e.g. ``("synth", "sine", "440")``."""
    args = [need("sox"), "-n", "-r", "16000", "-c", "1", "-b", "16", str(path)]
    if effect:
        args += [effect[0], str(seconds), *effect[1:]]
    else:
        args += ["trim", "0", str(seconds)]
    subprocess.run(args, check=True)
    return path


def transcode(src: Path, dst: Path, container: str, codec: str, rate: int = 16000) -> Path:
    """Re-encode a WAV with PyAV's bundled FFmpeg (MP3, M4A/AAC, WebM/Opus, OGG/Vorbis)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", format=container) as out:
        stream = out.add_stream(codec, rate=48000 if codec == "libopus" else rate)
        if codec == "vorbis":
            stream.codec_context.options = {"strict": "experimental"}
        for frame in inp.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dst
