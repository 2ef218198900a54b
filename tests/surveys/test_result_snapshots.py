"""The results snapshot shared by worker processes through a file, and the answer documents it is read from:
whatever path a snapshot takes (file, top-up, reconciliation), it holds what reading the database afresh gives."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update

from core.extensions import db
from surveys.models import Answer, Response
from surveys.results import data as result_data
from surveys.results import files as result_files
from surveys.results.data import Snapshot
from surveys.results.stored_answers import chunks, response_columns
from surveys.taking import responding
from tests.surveys.results_data import START, add_responses, every_type_survey


@pytest.fixture
def shared_files(app, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Snapshot files for every survey, however small, in a directory of the test's own."""
    monkeypatch.setattr(result_data, "SNAPSHOT_FILE_MIN", 1)
    monkeypatch.setattr(result_data, "SAVE_STEP", 1)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def read_afresh(survey) -> Snapshot:
    """The snapshot as a process that has nothing cached and no file would read it."""
    questions = [question for question in survey.questions if question.type.takes_answer]
    return result_data._read(survey, questions)


def assert_same(snapshot: Snapshot, expected: Snapshot) -> None:
    assert snapshot.response_ids.tolist() == expected.response_ids.tolist()
    assert snapshot.submitted_day.tolist() == expected.submitted_day.tolist()
    assert snapshot.complete.tolist() == expected.complete.tolist()
    assert list(snapshot.columns) == list(expected.columns)
    for code, column in expected.columns.items():
        np.testing.assert_array_equal(snapshot.columns[code].data, column.data, err_msg=code)


def new_worker() -> None:
    """What a freshly started worker process has: nothing in memory (the files stay)."""
    result_data.clear_cache()


def test_a_fresh_worker_loads_the_file_and_reads_only_newer_responses(shared_files, monkeypatch) -> None:
    survey = every_type_survey()
    add_responses(survey, 30)
    first = result_data.load(survey)
    assert result_files.snapshot_path(survey.id).exists()

    new_worker()
    reads = []
    original = result_data._read
    monkeypatch.setattr(result_data, "_read", lambda *args: reads.append(args[2:]) or original(*args))
    assert_same(result_data.load(survey), first)
    assert len(reads) == 1 and "survey_responses.id >" in str(reads[0][0])  # only the responses stored since


def test_new_responses_deletions_and_late_commits_reach_a_snapshot_from_the_file(shared_files) -> None:
    survey = every_type_survey()
    add_responses(survey, 20)
    ids = db.session.scalars(db.select(Response.id).where(Response.survey_id == survey.id)).all()
    late = db.session.get(Response, ids[4])
    late_values = {answer.question_code: answer.value for answer in late.answers}
    db.session.delete(late)  # not there yet when the snapshot is taken...
    db.session.flush()
    result_data.load(survey)

    new_worker()
    add_responses(survey, 7, seed=3)
    db.session.delete(db.session.get(Response, ids[10]))
    # ...and committed afterwards, with the lower id it was given (PostgreSQL hands ids out before commit).
    response = Response(id=ids[4], survey_id=survey.id, submitted_at=START)
    response.answers = [Answer(question_code=code, value=value) for code, value in late_values.items()]
    db.session.add(response)
    db.session.flush()

    snapshot = result_data.load(survey)
    assert_same(snapshot, read_afresh(survey))
    assert ids[4] in snapshot.response_ids and ids[10] not in snapshot.response_ids
    assert snapshot.size == 20 - 1 + 7
    new_worker()
    assert_same(result_data.load(survey), read_afresh(survey))  # the file written then is right too


def test_purging_tokens_of_a_closed_survey_leaves_the_results_alone(shared_files) -> None:
    survey = every_type_survey()
    add_responses(survey, 12)
    before = result_data.load(survey)
    survey.ends_at = START
    assert responding.purge_if_closed(survey)
    db.session.flush()
    new_worker()
    assert_same(result_data.load(survey), before)


def test_a_file_for_other_questions_or_a_damaged_file_is_not_used(shared_files) -> None:
    survey = every_type_survey()
    add_responses(survey, 15)
    result_data.load(survey)
    street = survey.questions[0]
    street.options[0].code = "n1"  # the option codes changed: the columns mean something else
    db.session.flush()
    new_worker()
    assert result_data.load(survey).columns["street"].codes[0] == "n1"

    result_files.snapshot_path(survey.id).write_bytes(b"not a snapshot")
    new_worker()
    assert_same(result_data.load(survey), read_afresh(survey))


def test_small_surveys_are_not_written_to_disk(app, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    survey = every_type_survey()
    add_responses(survey, 5)
    assert result_data.load(survey).size == 5
    assert not result_files.snapshot_path(survey.id).exists()


def test_each_stored_response_carries_its_answers_as_one_document(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 25)
    for response in db.session.scalars(db.select(Response).where(Response.survey_id == survey.id)):
        assert response.answer_data == {
            "values": {answer.question_code: answer.value for answer in response.answers},
            "other": {answer.question_code: answer.other_text for answer in response.answers if answer.other_text},
        }


def test_responses_stored_before_the_document_existed_read_from_their_answer_rows(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 25)
    with_documents = read_afresh(survey)
    query = response_columns(db.select(Response).where(Response.survey_id == survey.id).order_by(Response.id))
    documents = lambda chunk: (chunk.values, chunk.other)  # noqa: E731
    expected = list(chunks(query, documents, size=10))
    odd = db.select(Response.id).where(Response.survey_id == survey.id, Response.id % 2 == 1).scalar_subquery()
    db.session.execute(update(Response).where(Response.id.in_(odd)).values(answer_data=None))
    db.session.flush()
    db.session.expire_all()

    assert list(chunks(query, documents, size=10)) == expected
    assert_same(read_afresh(survey), with_documents)


def test_the_garbage_collector_runs_again_after_reading(app) -> None:
    survey = every_type_survey()
    add_responses(survey, 5)
    query = response_columns(db.select(Response).where(Response.survey_id == survey.id))
    reader = chunks(query, len, size=2)
    next(reader)
    assert gc.isenabled()  # never paused while the caller runs
    reader.close()
    assert sum(chunks(query, len, size=2)) == 5 and gc.isenabled()


def test_the_cache_command_writes_the_snapshot_a_worker_then_loads(shared_files, runner, monkeypatch) -> None:
    survey = every_type_survey()
    add_responses(survey, 9)
    db.session.commit()
    result = runner.invoke(args=["surveys", "cache-results"])
    assert result.exit_code == 0, result.output
    assert "9 responses" in result.output and result_files.snapshot_path(survey.id).exists()

    new_worker()
    reads = []
    original = result_data._read
    monkeypatch.setattr(result_data, "_read", lambda *args: reads.append(args[2:]) or original(*args))
    assert result_data.load(survey).size == 9
    assert [str(conditions[0]) for conditions in reads] == ["survey_responses.id > :id_1"]


def test_counts_edited_in_the_file_are_never_used_and_the_office_is_alerted(shared_files) -> None:
    from core.integrity.models import IntegrityAlert

    survey = every_type_survey()
    add_responses(survey, 15)
    result_data.load(survey)
    path = result_files.snapshot_path(survey.id)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["complete"] = np.ones_like(arrays["complete"])  # every response counted as complete
    first_column = next(name for name in arrays if name.startswith("column"))
    arrays[first_column] = np.zeros_like(arrays[first_column])  # the answers of the first question rewritten
    with path.open("wb") as file:
        np.savez(file, **arrays)  # its key and signature kept as they were
    db.session.commit()  # the responses stored, as by the requests that took them
    new_worker()
    assert_same(result_data.load(survey), read_afresh(survey))
    db.session.expire_all()
    alerts = db.session.scalars(db.select(IntegrityAlert)).all()
    assert [(a.kind, a.subject_id, a.problem) for a in alerts] == [
        ("file", f"survey-results/{path.name}", "file_changed")
    ]
