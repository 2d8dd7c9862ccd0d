"""Enterprise profiles: who is asking, and the figures they already know, validated.

Owns the `EnterpriseProfile` schema (the JSON file of `policyqa match`, the body of `POST
/match`), its money and rate validators (negative, non-finite or absurd figures are refused
while the input is still what was sent) and `load_profile`. Never matches a profile against
the rules: that is `rules.match`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from policyqa.rules.calc import MAX_AMOUNT_YUAN
from policyqa.rules.model import InputSpec
from policyqa.rules.money import MoneyParseError, parse_amount, parse_rate
from policyqa.rules.table import RuleBook, RulesError, default_rules


class ProfileError(Exception):
    """An enterprise profile file that cannot be read or validated; the message says what to fix."""


def _money(value: Any) -> Any:
    """A profile figure as a Decimal; refused here, while the input is still what was sent,
    when it is negative ("-80万元", "负80万元") or not a finite number ("NaN")."""
    if isinstance(value, str):
        text = value.strip()
        # ASCII hyphen, the minus sign U+2212, the full-width hyphen, and 负/負.
        if text.startswith(("-", "\u2212", "\uff0d", "负", "負")):
            raise ValueError(f"金额不能为负数：{text}")
        try:
            number = Decimal(text.replace(",", ""))
        except ArithmeticError:
            try:
                return parse_amount(text)
            except MoneyParseError as e:
                raise ValueError(str(e)) from e
        if not number.is_finite():
            raise ValueError(f"金额不是有效数值：{text}")
        return number
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("金额不是有效数值")
        return Decimal(str(value))
    return value


def _check_money(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("金额不是有效数值")
    if value < 0:
        raise ValueError(f"金额不能为负数：{value}")
    if value > MAX_AMOUNT_YUAN:
        raise ValueError(f"金额{value}超过1万亿元，请检查单位（金额以元为单位）")
    return value


def _rate_value(value: Any) -> Any:
    if isinstance(value, str) and ("%" in value or "百分之" in value):
        try:
            return parse_rate(value)
        except MoneyParseError as e:
            raise ValueError(str(e)) from e
    return _money(value)


# Range limits of a figure by input kind (money is checked by `_check_money`).
_INT_LIMITS: dict[str, tuple[int, int]] = {"count": (0, 100_000), "years": (1, 100)}
_FIXED = ("name", "region", "subject_types", "industry", "figures")


def _int_figure(value: Any, kind: str) -> int:
    low, high = _INT_LIMITS[kind]
    try:
        return TypeAdapter(Annotated[int, Field(ge=low, le=high)]).validate_python(value)
    except ValidationError as e:
        raise ValueError(e.errors()[0]["msg"]) from e


def _rate_figure(value: Any) -> Decimal:
    number = _rate_value(value)
    try:
        return TypeAdapter(Annotated[Decimal, Field(ge=0, le=1)]).validate_python(number)
    except ValidationError as e:
        raise ValueError(e.errors()[0]["msg"]) from e


def _money_figure(value: Any) -> Decimal:
    number = TypeAdapter(Decimal).validate_python(_money(value))
    return _check_money(number)


def _figure(spec: InputSpec, value: Any, tiers: set[str]) -> Any:
    """One figure checked and typed by the kind its input is declared with."""
    if spec.kind == "money":
        if spec.multiple:
            items = value if isinstance(value, list | tuple) else [value]
            return tuple(_money_figure(v) for v in items)
        return _money_figure(value)
    if spec.kind in _INT_LIMITS:
        return _int_figure(value, spec.kind)
    if spec.kind == "rate":
        return _rate_figure(value)
    if spec.kind == "tier" and str(value) not in tiers:
        raise ValueError(f"{spec.label}应为：{'、'.join(sorted(tiers))}，而不是“{value}”")
    return str(value)


def _rules_of(info: ValidationInfo) -> RuleBook:
    given = (info.context or {}).get("rules")
    if isinstance(given, RuleBook):
        return given
    try:
        return default_rules()
    except RulesError as e:
        raise ValueError(f"规则表无法加载，无法校验企业画像：{e}") from e


class EnterpriseProfile(BaseModel):
    """Who is asking: region, subject types, industry, and any figures they already know.

    `figures` is keyed by the input names the loaded rules declare (each checked by its
    kind: money in yuan, "300万元" accepted; negative or absurd (> 1万亿元) figures are
    rejected). A figure may also be given at the top level, as profiles always were
    (`"rd_investment_yuan": "600万元"`), and the JSON form lists figures at the top level.
    Validated against the configured rule table, or the one passed as context
    (`EnterpriseProfile.for_rules`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    region: str = Field(min_length=1)
    subject_types: tuple[str, ...] = Field(min_length=1)
    industry: str | None = None
    figures: dict[str, Any] = Field(default_factory=dict)
    _all_subject_types: frozenset[str] = PrivateAttr(default=frozenset())

    @classmethod
    def for_rules(cls, data: Any, book: RuleBook) -> EnterpriseProfile:
        """A profile validated against `book`'s subject types and inputs."""
        return cls.model_validate(data, context={"rules": book})

    @model_validator(mode="before")
    @classmethod
    def _top_level_figures(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        loose = {k: v for k, v in data.items() if k not in _FIXED}
        if not loose:
            return data
        kept = {k: v for k, v in data.items() if k in _FIXED}
        figures = dict(kept.get("figures") or {})
        twice = sorted(set(figures) & set(loose))
        if twice:
            raise ValueError(f"{twice} 同时出现在 figures 和画像顶层，只写一处")
        kept["figures"] = {**figures, **loose}
        return kept

    @field_validator("subject_types")
    @classmethod
    def _known(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        vocabulary = _rules_of(info).vocabulary
        canonical = [vocabulary.canonical_subject(s) for s in value]
        unknown = [s for s, c in zip(value, canonical, strict=True) if c is None]
        if unknown:
            known = "、".join(vocabulary.subject_names())
            raise ValueError(f"未知的主体类型 {unknown}；可选：{known}")
        return tuple(dict.fromkeys(c for c in canonical if c))

    @field_validator("figures")
    @classmethod
    def _declared(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        book = _rules_of(info)
        specs = {spec.name: spec for rule in book.rules for spec in rule.inputs}
        unknown = sorted(set(value) - set(specs))
        if unknown:
            raise ValueError(
                f"Extra inputs are not permitted: {unknown} 不是规则表声明的输入；"
                f"可填：{'、'.join(sorted(specs))}"
            )
        out: dict[str, Any] = {}
        for name, raw in value.items():
            if raw is None or raw == [] or raw == ():
                continue
            tiers = {
                t.name
                for rule in book.rules
                if rule.formula.tier_input() == name
                for t in rule.formula.tier_options()
            }
            try:
                out[name] = _figure(specs[name], raw, tiers)
            except ValueError as e:
                raise ValueError(f"{name}: {e}") from e
        return out

    @model_validator(mode="after")
    def _implied(self, info: ValidationInfo) -> EnterpriseProfile:
        self._all_subject_types = _rules_of(info).vocabulary.expand(self.subject_types)
        return self

    @property
    def all_subject_types(self) -> frozenset[str]:
        """The profile's subject types and every broader type they imply."""
        return self._all_subject_types

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Figures at the top level, as profiles have always been written and printed.
        data: dict[str, Any] = handler(self)
        figures = data.pop("figures", None) or {}
        return {**data, **figures}

    def __getattr__(self, name: str) -> Any:
        # A figure reads like the field it once was (profile.rd_investment_yuan); unset → None.
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            figures = self.__dict__.get("figures")
            if figures is None or name.startswith("_"):
                raise
            return figures.get(name)


def load_profile(path: Path, book: RuleBook | None = None) -> EnterpriseProfile:
    """Read an enterprise profile from a JSON file (checked against `book`, default: the
    configured rule table)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ProfileError(f"找不到企业画像文件 {path}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"{path} 不是有效的 UTF-8 JSON：{e}") from e
    try:
        if book is None:
            return EnterpriseProfile.model_validate(data)
        return EnterpriseProfile.for_rules(data, book)
    except ValidationError as e:
        raise ProfileError(f"{path} 的企业画像有误：{e}") from e
