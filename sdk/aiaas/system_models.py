"""Handles of the service's system models, for typed predictions.

Name a system model by its handle instead of its id, and ``predict`` checks the
inputs and types the outputs::

    from aiaas.system_models import quality_logreg

    prediction = client.models.predict(quality_logreg, inputs=[run])
    prediction.outputs[0].failure_probability  # float, no cast

The inputs are the model's typed rows (``aiaas.inputs.ProcessRun``) or the same
as TypedDicts (``aiaas.types.ProcessRunDict``), so a misspelled key is a type
error in your editor, and a ``ValueError`` before sending for code that is not
type-checked, not a 422 from the server. Models named by their id
string (tenants' own models included) keep taking and returning plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from .types.inputs import (
    FlightSettings,
    FlightSettingsDict,
    LineHour,
    LineHourDict,
    PixelImage,
    PngImage,
    ProcessRun,
    ProcessRunDict,
    PumpReading,
    PumpReadingDict,
    SensorWindow,
)
from .types.outputs import (
    AnomalyAssessment,
    ChatReply,
    DefectClassification,
    EnergyForecast,
    EntityExtraction,
    QualityOutcome,
    RegimeAssignment,
    RulPrediction,
    SemanticFrames,
    TermEmbedding,
)

__all__ = [
    "EnergyInput",
    "ImageInput",
    "PumpInput",
    "QualityInput",
    "RegimeInput",
    "SystemModel",
    "TextInput",
    "defect_cnn",
    "energy_regression",
    "maintenance_ner",
    "maintenance_srl",
    "maintenance_word2vec",
    "quality_logreg",
    "quality_svm",
    "regime_kmeans",
    "rul_lstm",
    "sensor_autoencoder",
    "smollm2_135m_instruct",
]

QualityInput = ProcessRun | ProcessRunDict
EnergyInput = LineHour | LineHourDict
RegimeInput = FlightSettings | FlightSettingsDict
PumpInput = PumpReading | PumpReadingDict
ImageInput = PngImage | PixelImage
TextInput = str
"""What one input of each family of system models may be."""

InputT = TypeVar("InputT")
OutputT = TypeVar("OutputT")


@dataclass(frozen=True)
class SystemModel(Generic[InputT, OutputT]):
    """A system model's id, with the type of one input and of one output."""

    id: str
    output_type: type[OutputT]
    row_type: type[BaseModel] | None = None
    """The typed row a mapping input is checked against before sending (the
    tabular models): a misspelled or missing key fails here, not at the server."""

    def __str__(self) -> str:
        return self.id


quality_logreg: SystemModel[QualityInput, QualityOutcome] = SystemModel(
    "quality-logreg", QualityOutcome, ProcessRun
)
quality_svm: SystemModel[QualityInput, QualityOutcome] = SystemModel(
    "quality-svm", QualityOutcome, ProcessRun
)
energy_regression: SystemModel[EnergyInput, EnergyForecast] = SystemModel(
    "energy-regression", EnergyForecast, LineHour
)
regime_kmeans: SystemModel[RegimeInput, RegimeAssignment] = SystemModel(
    "regime-kmeans", RegimeAssignment, FlightSettings
)
defect_cnn: SystemModel[ImageInput, DefectClassification] = SystemModel(
    "defect-cnn", DefectClassification
)
rul_lstm: SystemModel[SensorWindow, RulPrediction] = SystemModel("rul-lstm", RulPrediction)
sensor_autoencoder: SystemModel[PumpInput, AnomalyAssessment] = SystemModel(
    "sensor-autoencoder", AnomalyAssessment, PumpReading
)
maintenance_word2vec: SystemModel[TextInput, TermEmbedding] = SystemModel(
    "maintenance-word2vec", TermEmbedding
)
maintenance_ner: SystemModel[TextInput, EntityExtraction] = SystemModel(
    "maintenance-ner", EntityExtraction
)
maintenance_srl: SystemModel[TextInput, SemanticFrames] = SystemModel(
    "maintenance-srl", SemanticFrames
)
smollm2_135m_instruct: SystemModel[TextInput, ChatReply] = SystemModel(
    "smollm2-135m-instruct", ChatReply
)
"""Through ``predict``: one answer per text. For conversations, streams, schemas
and tools, use ``client.chat.completions``."""
