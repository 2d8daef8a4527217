"""The step tree under a test report's ``root``.

Every node is a step; ``stepType`` chooses the model class:

=====================================================  =========================
stepType                                               class
=====================================================  =========================
``SequenceCall``, ``WATS_SeqCall``                     :class:`SequenceCallStep`
``ET_NLT``, ``NumericLimitTest``, ``ET_MNLT``,         :class:`NumericLimitStep`
``MultiNumericLimitTest``
``ET_PFT``, ``PassFailTest``, ``ET_MPFT``,             :class:`PassFailStep`
``MultiBooleanTest``
``ET_SVT``, ``StringValueTest``, ``ET_MSVT``,          :class:`StringValueStep`
``MultiStringTest``
``Action``, ``ET_A``                                   :class:`ActionStep`
``Chart``, ``WATS_XYGMNLT``                            :class:`ChartStep`
``CallExecutable``                                     :class:`CallExeStep`
``MessagePopup``                                       :class:`MessagePopupStep`
anything else (``GenericTest``, ``NI_Wait``, …)        :class:`GenericStep`
=====================================================  =========================

Single and multi steps share a class: a single step has one measurement, a multi step
several named ones (``is_multi``). Unknown fields are kept on every class.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag
from pydantic.alias_generators import to_camel

from pywats.models.report.base import WSJFModel
from pywats.models.report.common import AdditionalData
from pywats.models.report.limits import (
    LOG,
    default_comp_op,
    evaluate_numeric,
    evaluate_string,
    normalize_comp_op,
)
from pywats.models.report.status import roll_up
from pywats.models.report.types import Number, NumberOrText, Timestamp

__all__ = [
    "LoopInfo",
    "SeqCallInfo",
    "CallExeInfo",
    "MessagePopupInfo",
    "ChartSeries",
    "Chart",
    "StepAttachment",
    "NumericMeasurement",
    "StringMeasurement",
    "BooleanMeasurement",
    "StepBase",
    "SequenceCallStep",
    "NumericLimitStep",
    "PassFailStep",
    "StringValueStep",
    "ActionStep",
    "ChartStep",
    "CallExeStep",
    "MessagePopupStep",
    "GenericStep",
    "Step",
    "STEP_TYPE_TAGS",
]


class LoopInfo(WSJFModel):
    """``loop``: ``idx`` (iteration; null on the loop summary), ``num`` (iterations);
    ``endingIndex``, ``passed``, ``failed`` are filled by the server."""

    idx: int | None = None
    num: int | None = None
    ending_index: int | None = None
    passed: int | None = None
    failed: int | None = None


class SeqCallInfo(WSJFModel):
    """``seqCall``: the sequence file a SequenceCall ran."""

    path: str | None = None
    name: str | None = None
    version: str | None = None


class CallExeInfo(WSJFModel):
    """``callExe``: result of a CallExecutable step."""

    exit_code: Number | None = None
    exit_code_format: str | None = None


class MessagePopupInfo(WSJFModel):
    """``messagePopup``: the operator's answer to a MessagePopup step."""

    response: str | None = None
    button: int | None = None
    button_format: str | None = None


class ChartSeries(WSJFModel):
    """One chart series; ``xdata``/``ydata`` are ``;``-separated numbers."""

    data_type: str | None = None
    name: str | None = None
    xdata: str | None = None
    ydata: str | None = None


class Chart(WSJFModel):
    """``chart``: an XY graph (``chartType`` Line, LineLogXY, LineLogX, LineLogY)."""

    chart_type: str | None = None
    label: str | None = None
    x_label: str | None = None
    x_unit: str | None = None
    y_label: str | None = None
    y_unit: str | None = None
    series: list[ChartSeries] | None = None


class StepAttachment(WSJFModel):
    """``attachment``: one file on a step (UUT attachments), ``data`` in base64."""

    name: str | None = None
    content_type: str | None = None
    data: str | None = None


class NumericMeasurement(WSJFModel):
    """``numericMeas[]``. Single-limit operators use ``lowLimit`` only (LT/LE included)."""

    name: str | None = None
    status: str | None = None
    unit: str | None = None
    value: NumberOrText | None = None
    value_format: str | None = None
    comp_op: str | None = None
    low_limit: NumberOrText | None = None
    low_limit_format: str | None = None
    high_limit: NumberOrText | None = None
    high_limit_format: str | None = None

    def evaluate(self) -> str:
        """``P`` or ``F`` from the value, the operator and the limits (ignores ``status``)."""
        op = normalize_comp_op(self.comp_op) if self.comp_op else default_comp_op(self.low_limit, self.high_limit)
        if op == LOG:
            return "P"
        return "P" if evaluate_numeric(op, self.value, self.low_limit, self.high_limit) else "F"

    def effective_status(self) -> str:
        """The given ``status``, or the evaluated one when none is given."""
        return self.status or self.evaluate()


class StringMeasurement(WSJFModel):
    """``stringMeas[]``: a text value compared with ``limit``."""

    name: str | None = None
    status: str | None = None
    value: str | None = None
    comp_op: str | None = None
    limit: str | None = None

    def evaluate(self) -> str:
        """``P`` or ``F`` from the value, the operator and the expected text."""
        if self.comp_op:
            op = normalize_comp_op(self.comp_op, string=True)
        else:
            op = LOG if self.limit is None else "CASESENSIT"
        return "P" if evaluate_string(op, self.value, self.limit) else "F"

    def effective_status(self) -> str:
        """The given ``status``, or the evaluated one when none is given."""
        return self.status or self.evaluate()


class BooleanMeasurement(WSJFModel):
    """``booleanMeas[]``: a pass/fail result (the server schema has no ``value``)."""

    name: str | None = None
    status: str | None = None

    def effective_status(self) -> str:
        """The given ``status`` (``P`` when none is given and no extra ``value`` says otherwise)."""
        if self.status:
            return self.status
        value = (self.model_extra or {}).get("value")
        return "F" if value is False else "P"


class StepBase(WSJFModel):
    """Fields every step has."""

    id: int | None = None
    step_type: str | None = None
    name: str | None = None
    group: str | None = None
    status: str | None = None
    start: Timestamp | None = None
    tot_time: Number | None = None
    tot_time_format: str | None = None
    error_code: int | None = None
    error_code_format: str | None = None
    error_message: str | None = None
    report_text: str | None = None
    ts_guid: str | None = None
    interactive_exe_num: int | None = None
    interactive_exe_num_format: str | None = None
    caused_seq_failure: bool | None = None
    caused_uut_failure: bool | None = Field(default=None, alias="causedUUTFailure")
    loop: LoopInfo | None = None
    additional_results: list[AdditionalData] | None = None
    attachment: StepAttachment | None = None

    _default_step_type: ClassVar[tuple[str, str] | None] = None
    _measurement_field: ClassVar[str | None] = None

    def __init__(self, **data: Any) -> None:
        """Create a step in Python; ``stepType`` defaults to the class's own type
        (the multi variant when several measurements are given). Parsing a WSJF dict
        (``model_validate``) does not pass through here and keeps the data as given."""
        defaults = self._default_step_type
        if defaults is not None and "step_type" not in data and "stepType" not in data:
            single, multi = defaults
            field = self._measurement_field
            many = False
            if field is not None:
                items = data.get(field, data.get(to_camel(field)))
                many = items is not None and len(items) > 1
            data["step_type"] = multi if many else single
        super().__init__(**data)

    def _measurement_statuses(self) -> list[str]:
        return []

    def effective_status(self) -> str:
        """The given ``status``, else one computed from the measurements (``D`` if none)."""
        if self.status:
            return self.status
        statuses = self._measurement_statuses()
        if not statuses:
            return "D"
        return "F" if "F" in statuses else "P"


class SequenceCallStep(StepBase):
    """A SequenceCall: a container of steps; the report's ``root`` is one."""

    _default_step_type = ("SequenceCall", "SequenceCall")
    seq_call: SeqCallInfo | None = None
    steps: list[Step] | None = None

    def effective_status(self) -> str:
        """The given ``status``, else the roll-up of the children (see ``status.roll_up``)."""
        if self.status:
            return self.status
        return roll_up(child.effective_status() for child in self.steps or ())

    def iter_steps(self) -> Any:
        """Yield every step below this one, depth first, parents before children."""
        for child in self.steps or ():
            yield child
            if isinstance(child, SequenceCallStep):
                yield from child.iter_steps()


class NumericLimitStep(StepBase):
    """Numeric limit test, single (``ET_NLT``) or multiple (``ET_MNLT``)."""

    _default_step_type = ("ET_NLT", "ET_MNLT")
    _measurement_field = "numeric_meas"

    numeric_meas: list[NumericMeasurement] | None = None

    @property
    def is_multi(self) -> bool:
        """True when the step holds several named measurements."""
        return len(self.numeric_meas or ()) > 1

    def _measurement_statuses(self) -> list[str]:
        return [m.effective_status() for m in self.numeric_meas or ()]


class PassFailStep(StepBase):
    """Pass/fail test, single (``ET_PFT``) or multiple (``ET_MPFT``)."""

    _default_step_type = ("ET_PFT", "ET_MPFT")
    _measurement_field = "boolean_meas"

    boolean_meas: list[BooleanMeasurement] | None = None

    @property
    def is_multi(self) -> bool:
        """True when the step holds several named results."""
        return len(self.boolean_meas or ()) > 1

    def _measurement_statuses(self) -> list[str]:
        return [m.effective_status() for m in self.boolean_meas or ()]


class StringValueStep(StepBase):
    """String value test, single (``ET_SVT``) or multiple (``ET_MSVT``)."""

    _default_step_type = ("ET_SVT", "ET_MSVT")
    _measurement_field = "string_meas"

    string_meas: list[StringMeasurement] | None = None

    @property
    def is_multi(self) -> bool:
        """True when the step holds several named measurements."""
        return len(self.string_meas or ()) > 1

    def _measurement_statuses(self) -> list[str]:
        return [m.effective_status() for m in self.string_meas or ()]


class ActionStep(StepBase):
    """An action (``Action``/``ET_A``): no measurement, only a status (often ``D``)."""

    _default_step_type = ("Action", "Action")


class ChartStep(StepBase):
    """A chart step (``Chart``; ``WATS_XYGMNLT`` also carries numeric measurements)."""

    _default_step_type = ("Chart", "Chart")

    chart: Chart | None = None
    numeric_meas: list[NumericMeasurement] | None = None

    def _measurement_statuses(self) -> list[str]:
        return [m.effective_status() for m in self.numeric_meas or ()]


class CallExeStep(StepBase):
    """A CallExecutable step: ``callExe.exitCode``."""

    _default_step_type = ("CallExecutable", "CallExecutable")

    call_exe: CallExeInfo | None = None


class MessagePopupStep(StepBase):
    """A MessagePopup step: ``messagePopup.response``/``button``."""

    _default_step_type = ("MessagePopup", "MessagePopup")

    message_popup: MessagePopupInfo | None = None


class GenericStep(StepBase):
    """Any other step type (``GenericTest``, ``Label``, ``NI_*`` …); all fields kept."""

    _default_step_type = ("GenericTest", "GenericTest")


STEP_TYPE_TAGS: dict[str, str] = {
    "SequenceCall": "seq",
    "WATS_SeqCall": "seq",
    "ET_NLT": "numeric",
    "NumericLimitTest": "numeric",
    "ET_MNLT": "numeric",
    "MultiNumericLimitTest": "numeric",
    "ET_PFT": "passfail",
    "PassFailTest": "passfail",
    "ET_MPFT": "passfail",
    "MultiBooleanTest": "passfail",
    "ET_SVT": "string",
    "StringValueTest": "string",
    "ET_MSVT": "string",
    "MultiStringTest": "string",
    "Action": "action",
    "ET_A": "action",
    "Chart": "chart",
    "WATS_XYGMNLT": "chart",
    "CallExecutable": "callexe",
    "MessagePopup": "popup",
}
"""``stepType`` → model tag (anything not listed → ``generic``)."""

_CLASS_TAGS: dict[type, str] = {}


def _step_tag(value: Any) -> str:
    if isinstance(value, dict):
        step_type = value.get("stepType", value.get("step_type"))
        tag = STEP_TYPE_TAGS.get(step_type) if isinstance(step_type, str) else None
        if tag is None and step_type is None and "steps" in value:
            return "seq"
        return tag or "generic"
    return _CLASS_TAGS.get(type(value), "generic")


Step = Annotated[
    Annotated[SequenceCallStep, Tag("seq")] | Annotated[NumericLimitStep, Tag("numeric")] | Annotated[PassFailStep, Tag("passfail")] | Annotated[StringValueStep, Tag("string")] | Annotated[ActionStep, Tag("action")] | Annotated[ChartStep, Tag("chart")] | Annotated[CallExeStep, Tag("callexe")] | Annotated[MessagePopupStep, Tag("popup")] | Annotated[GenericStep, Tag("generic")],
    Discriminator(_step_tag),
]
"""Any step; the model class is chosen from ``stepType``."""

_CLASS_TAGS.update(
    {
        SequenceCallStep: "seq",
        NumericLimitStep: "numeric",
        PassFailStep: "passfail",
        StringValueStep: "string",
        ActionStep: "action",
        ChartStep: "chart",
        CallExeStep: "callexe",
        MessagePopupStep: "popup",
        GenericStep: "generic",
    }
)

SequenceCallStep.model_rebuild()
