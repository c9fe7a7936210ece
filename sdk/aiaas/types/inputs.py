"""Wire types of the tabular and sensor-row models' inputs: pass them as
``inputs``, or dicts of the same fields. The server validates against these same
models, so a 422 names the field a model refused.

:mod:`aiaas.inputs` offers them too, beside the helpers for images and sensor
windows: that module is where to start building any input.
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FlightSettings",
    "FlightSettingsDict",
    "LineHour",
    "LineHourDict",
    "PixelImage",
    "PngImage",
    "ProcessRun",
    "ProcessRunDict",
    "PumpReading",
    "PumpReadingDict",
    "SensorWindow",
    "Weekday",
]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class ProcessRun(BaseModel):
    """One machining run, for ``quality-logreg`` and ``quality-svm``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", allow_inf_nan=False)

    product_type: Literal["L", "M", "H"] = Field(description="Product quality variant")
    air_temperature: float = Field(ge=250, le=350, description="Air temperature, K")
    process_temperature: float = Field(ge=250, le=400, description="Process temperature, K")
    rotational_speed: float = Field(ge=0, le=5000, description="Spindle speed, rpm")
    torque: float = Field(ge=0, le=200, description="Torque, Nm")
    tool_wear: float = Field(ge=0, le=1000, description="Tool wear, minutes")


class LineHour(BaseModel):
    """One hour of a production line, for ``energy-regression``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", allow_inf_nan=False)

    throughput: float = Field(ge=0, le=1000, description="Units produced in the hour")
    ambient_temperature: float = Field(ge=-40, le=55, description="Outside air, degC")
    shift: Literal["early", "late", "night"] = Field(
        description="early 06-14, late 14-22, night 22-06"
    )
    weekday: Weekday


class FlightSettings(BaseModel):
    """The operational settings of one engine cycle, for ``regime-kmeans``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", allow_inf_nan=False)

    altitude: float = Field(ge=-2, le=60, description="Altitude, thousands of feet")
    mach: float = Field(ge=0, le=1.2, description="Mach number")
    throttle_resolver_angle: float = Field(
        ge=0, le=120, description="Throttle resolver angle, degrees"
    )


class PumpReading(BaseModel):
    """One reading of a pump's six sensors, for ``sensor-autoencoder``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid", allow_inf_nan=False)

    flow: float = Field(ge=0, le=2000, description="Flow, m3/h")
    head: float = Field(ge=-50, le=500, description="Head, m")
    power: float = Field(ge=0, le=1000, description="Shaft power, kW")
    temperature: float = Field(ge=-40, le=250, description="Winding temperature, degC")
    current: float = Field(ge=0, le=2000, description="Motor current, A")
    vibration: float = Field(ge=0, le=100, description="Vibration velocity, mm/s")


# The same inputs as plain dicts: a type checker catches a misspelled or
# missing key before the server has to (``predict`` with a model handle of
# ``aiaas.system_models`` takes either form).


class ProcessRunDict(TypedDict):
    """A :class:`ProcessRun` as a dict."""

    product_type: Literal["L", "M", "H"]
    air_temperature: float
    process_temperature: float
    rotational_speed: float
    torque: float
    tool_wear: float


class LineHourDict(TypedDict):
    """A :class:`LineHour` as a dict."""

    throughput: float
    ambient_temperature: float
    shift: Literal["early", "late", "night"]
    weekday: Weekday


class FlightSettingsDict(TypedDict):
    """A :class:`FlightSettings` as a dict."""

    altitude: float
    mach: float
    throttle_resolver_angle: float


class PumpReadingDict(TypedDict):
    """A :class:`PumpReading` as a dict."""

    flow: float
    head: float
    power: float
    temperature: float
    current: float
    vibration: float


class PngImage(TypedDict):
    """A ``defect-cnn`` input: a PNG or JPEG file, base64 (``aiaas.inputs.image(path)``)."""

    image: str


class PixelImage(TypedDict):
    """A ``defect-cnn`` input: rows of grey levels (``aiaas.inputs.image(array)``)."""

    pixels: list[list[float]]


class SensorWindow(TypedDict):
    """A ``rul-lstm`` input: each sensor's latest readings, oldest first
    (``aiaas.inputs.sensor_window(...)``)."""

    sensors: dict[str, list[float]]
