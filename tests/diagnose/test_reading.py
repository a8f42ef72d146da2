"""A firm's exports read into the canonical tables; a malformed file refused in one line."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from npssim.diagnose.reading import (
    ACCOUNT_COLUMNS,
    DEFAULT_INVITER,
    RESPONSE_COLUMNS,
    parse_columns,
    read_exports,
)
from npssim.errors import InputError

#: A CRM-like export: the firm's own names, dates instead of weeks, yes/no and percent.
CRM_COLUMNS = {
    "response_id": "Survey ID",
    "account_id": "Account Name",
    "rep_id": "Owner",
    "date": "Survey Date",
    "invited_by": "Sent By",
    "score": "Likelihood to Recommend",
    "annual_value": "ARR",
    "renewal_date": "Renewal Date",
    "renewed": "Renewed?",
    "discount": "Discount %",
}


def crm_responses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Survey ID": ["S1", "S2", "S3", "S4"],
            "Account Name": ["Acme", "Beta", "Acme", "Gamma"],
            "Owner": ["Ann", "Bob", "Ann", "Bob"],
            # 2026-03-04 is a Wednesday: week 0 starts on Monday 2026-03-02.
            "Survey Date": ["2026-03-04", "2026-03-08", "2026-03-09", "2026-03-20"],
            "Sent By": ["Automated", "Rep", "rep", "Third party"],
            "Likelihood to Recommend": ["9", "", "10", "3"],
        }
    )


def crm_accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Account Name": ["Acme", "Beta", "Gamma"],
            "Owner": ["Ann", "Bob", "Bob"],
            "ARR": ["$12,000", "8000", "5,500.50"],
            "Renewal Date": ["2026-06-29", "", "2026-03-01"],
            "Renewed?": ["Yes", "", "no"],
            "Discount %": ["15%", "", "0%"],
        }
    )


def write(frame: pd.DataFrame, path, kind: str = "csv"):
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path


def read_crm(tmp_path, responses=None, accounts=None, kind="csv", columns=CRM_COLUMNS):
    first = write(crm_responses() if responses is None else responses, tmp_path / f"r.{kind}", kind)
    second = write(crm_accounts() if accounts is None else accounts, tmp_path / f"a.{kind}", kind)
    return read_exports(first, second, columns=columns)


def refusal(tmp_path, *needles, **changes) -> str:
    with pytest.raises(InputError) as caught:
        read_crm(tmp_path, **changes)
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx"])
def test_a_crm_export_reads_in_every_format(tmp_path, kind):
    responses, accounts = read_crm(tmp_path, kind=kind)
    assert list(responses.columns) == list(RESPONSE_COLUMNS)
    assert list(accounts.columns) == list(ACCOUNT_COLUMNS)
    assert responses["week"].tolist() == [0, 0, 1, 2]  # Monday 2026-03-02 is week 0
    assert responses["invited_by"].tolist() == ["firm", "rep", "rep", "third_party"]
    assert responses["answered"].tolist() == [True, False, True, True]
    assert responses["score"].isna().tolist() == [False, True, False, False]
    assert responses["score"].dropna().tolist() == [9.0, 10.0, 3.0]
    assert accounts["annual_value"].tolist() == [12_000.0, 8_000.0, 5_500.5]
    assert accounts["renewal_week"].tolist()[0] == 17  # 2026-06-29 is 119 days after week 0
    assert accounts["renewal_week"].tolist()[2] == -1  # renewed the day before week 0
    assert math.isnan(accounts["renewal_week"][1])
    assert accounts["renewed"].tolist()[::2] == [1.0, 0.0]
    assert accounts["discount"].tolist()[::2] == [0.15, 0.0]
    assert responses["account_id"].map(type).eq(str).all()


def test_canonical_tables_read_without_a_mapping(tmp_path):
    responses = pd.DataFrame(
        {
            "response_id": [1, 2],
            "account_id": [10, 11],
            "rep_id": ["a", "b"],
            "week": [3, 5],
            "invited_by": ["rep", "firm"],
            "answered": ["true", "0"],
            "score": [7, None],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": [10, 11],
            "rep_id": ["a", "b"],
            "annual_value": [100.0, 200.0],
            "renewal_week": [10, None],
            "renewed": [1, None],
            "discount": [0.1, 0.0],
        }
    )
    read, book = read_crm(tmp_path, responses=responses, accounts=accounts, columns={})
    assert read["response_id"].tolist() == ["1", "2"]
    assert read["week"].tolist() == [3, 5]  # week numbers as given: the export's own clock
    assert book["renewal_week"].tolist()[0] == 10
    assert read["answered"].tolist() == [True, False]
    assert book["discount"].tolist() == [0.1, 0.0]  # shares stay shares


def test_optional_columns_take_their_documented_defaults(tmp_path):
    responses = crm_responses().drop(columns=["Survey ID", "Sent By", "Owner"])
    accounts = crm_accounts().drop(columns=["Discount %", "Renewed?", "Renewal Date"])
    read, book = read_crm(tmp_path, responses=responses, accounts=accounts)
    assert read["invited_by"].eq(DEFAULT_INVITER).all()
    assert read["response_id"].tolist() == ["row-2", "row-3", "row-4", "row-5"]
    assert read["rep_id"].tolist() == ["Ann", "Bob", "Ann", "Bob"]  # the CRM's owners
    assert book[["renewal_week", "renewed", "discount"]].isna().all().all()


def test_a_column_mapping_can_name_one_file(tmp_path):
    accounts = crm_accounts().rename(columns={"Owner": "Account Owner"})
    columns = {**CRM_COLUMNS, "accounts.rep_id": "Account Owner"}
    _, book = read_crm(tmp_path, accounts=accounts, columns=columns)
    assert book["rep_id"].tolist() == ["Ann", "Bob", "Bob"]


def test_discount_percent_without_sign_when_a_value_exceeds_one(tmp_path):
    accounts = crm_accounts().assign(**{"Discount %": ["15", "", "0.5"]})
    _, book = read_crm(tmp_path, accounts=accounts)
    assert book["discount"].tolist()[::2] == [0.15, 0.005]


@pytest.mark.parametrize(
    ("dates", "weeks"),
    [
        (["04/03/2026", "31/03/2026"], [0, 4]),  # day first: 31 cannot be a month
        (["03/04/2026", "03/31/2026"], [0, 4]),  # month first: 31 cannot be a month
        (["4 Mar 2026", "31 Mar 2026"], [0, 4]),
        (["2026-03-04T10:00:00", "2026-03-31 09:00"], [0, 4]),
    ],
)
def test_common_date_formats(tmp_path, dates, weeks):
    responses = crm_responses().iloc[:2].assign(**{"Survey Date": dates})
    accounts = crm_accounts().assign(**{"Renewal Date": ""})
    read, _ = read_crm(tmp_path, responses=responses, accounts=accounts)
    assert read["week"].tolist() == weeks


def test_parse_columns():
    assert parse_columns(["rep_id=Owner", "accounts.rep_id = Account Owner"]) == {
        "rep_id": "Owner",
        "accounts.rep_id": "Account Owner",
    }
    for bad, needle in [
        ("rep_id", "expected NAME=COLUMN"),
        ("owner=Owner", "is not a column npssim reads"),
        ("crm.rep_id=Owner", "is not a column npssim reads"),
    ]:
        with pytest.raises(InputError, match=needle):
            parse_columns([bad])
    with pytest.raises(InputError, match="given twice"):
        parse_columns(["rep_id=A", "rep_id=B"])


def test_missing_column_lists_what_it_found_and_the_hint(tmp_path):
    responses = crm_responses().drop(columns=["Owner"])
    accounts = crm_accounts().drop(columns=["Owner"])
    message = refusal(tmp_path, "a.csv", "'Owner'", "rep_id", "Account Name", accounts=accounts)
    assert "--column rep_id=NAME" in message
    refusal(tmp_path, "r.csv", "week (or date)", responses=responses.drop(columns="Survey Date"))


@pytest.mark.parametrize(
    ("responses", "needles"),
    [
        ({"Likelihood to Recommend": ["9", "", "11", "3"]}, ["r.csv", "Likelihood", "0-10"]),
        ({"Likelihood to Recommend": ["9", "", "x", "3"]}, ["row 4", "not a number"]),
        ({"Survey Date": ["2026-03-04", "soon", "2026-03-09", "2026-03-20"]}, ["row 3", "date"]),
        ({"Survey Date": ["03/04/2026", "04/03/2026", "03/05/2026", "03/06/2026"]}, ["day/month"]),
        ({"Survey ID": ["S1", "S2", "S1", "S4"]}, ["Survey ID", "row 4", "already on row 2"]),
        ({"Account Name": ["Acme", "Beta", "Zeta", "Gamma"]}, ["row 4", "not an account"]),
        ({"Sent By": ["rep", "rep", "robot", "rep"]}, ["Sent By", "row 4", "firm or third_party"]),
        ({"Owner": ["Ann", "", "Ann", "Bob"]}, ["Owner", "row 3", "empty"]),
    ],
)
def test_malformed_responses_are_refused_naming_file_column_row(tmp_path, responses, needles):
    refusal(tmp_path, *needles, responses=crm_responses().assign(**responses))


@pytest.mark.parametrize(
    ("accounts", "needles"),
    [
        ({"ARR": ["1", "-5", "2"]}, ["a.csv", "ARR", "row 3", "negative"]),
        ({"Renewed?": ["Yes", "maybe", "no"]}, ["Renewed?", "row 3", "yes or no"]),
        ({"Discount %": ["150%", "", "0"]}, ["Discount %", "row 2", "between 0 and 1"]),
        ({"Renewal Date": ["2026-06-29", "", "someday"]}, ["Renewal Date", "row 4"]),
    ],
)
def test_malformed_accounts_are_refused_naming_file_column_row(tmp_path, accounts, needles):
    refusal(tmp_path, *needles, accounts=crm_accounts().assign(**accounts))


def test_answered_and_score_must_agree(tmp_path):
    responses = crm_responses().assign(Answered=["yes", "yes", "yes", "no"])
    columns = {**CRM_COLUMNS, "answered": "Answered"}
    with pytest.raises(InputError, match="row 3: is empty, but answered is yes"):
        read_crm(tmp_path, responses=responses, columns=columns)


def test_negative_response_weeks_are_refused(tmp_path):
    responses = crm_responses().drop(columns="Survey Date").assign(Week=[0, 1, -1, 2])
    columns = {**CRM_COLUMNS, "week": "Week"}
    accounts = crm_accounts().drop(columns="Renewal Date")
    with pytest.raises(InputError, match="'Week' \\(week\\), row 4: is negative"):
        read_crm(tmp_path, responses=responses, accounts=accounts, columns=columns)


def test_weeks_and_dates_cannot_be_mixed(tmp_path):
    accounts = crm_accounts().drop(columns="Renewal Date").assign(Week=[1, 2, 3])
    columns = {**CRM_COLUMNS, "renewal_week": "Week"}
    with pytest.raises(InputError, match="share a clock"):
        read_crm(tmp_path, accounts=accounts, columns=columns)


def test_duplicate_account_renewal_is_refused(tmp_path):
    accounts = pd.concat([crm_accounts(), crm_accounts().iloc[[0]]], ignore_index=True)
    refusal(tmp_path, "row 5", "twice", accounts=accounts)


def test_unreadable_files_are_refused(tmp_path):
    good = write(crm_accounts(), tmp_path / "a.csv")
    for name, content, needle in [
        ("r.txt", b"x", "cannot tell its format"),
        ("missing.csv", None, "no such file"),
        ("r.parquet", b"not parquet", "cannot read it as Parquet"),
        ("r.xlsx", b"not a workbook", "cannot read it as Excel"),
        ("empty.csv", b"a,b\n", "has no rows"),
    ]:
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(InputError, match=needle) as caught:
            read_exports(path, good, columns=CRM_COLUMNS)
        assert name in str(caught.value)


def test_a_semicolon_csv_in_windows_encoding_reads(tmp_path):
    responses = crm_responses().assign(
        **{"Account Name": ["Zürich AG", "Beta", "Zürich AG", "Gamma"]}
    )
    accounts = crm_accounts().assign(**{"Account Name": ["Zürich AG", "Beta", "Gamma"]})
    responses.to_csv(tmp_path / "r.csv", index=False, sep=";", encoding="cp1252")
    accounts.to_csv(tmp_path / "a.tsv", index=False, sep="\t")
    read, book = read_exports(tmp_path / "r.csv", tmp_path / "a.tsv", columns=CRM_COLUMNS)
    assert read["account_id"].tolist()[0] == "Zürich AG"
    assert book["annual_value"].tolist() == [12_000.0, 8_000.0, 5_500.5]  # "$12,000" kept whole
