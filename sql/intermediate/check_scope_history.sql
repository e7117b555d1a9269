-- A check run with a scope (sql/intermediate/check_scope.sql), after the history views are
-- made: history keeps the whole context, held in tables; the relations the rules evaluate
-- keep the scope only.
create or replace temp table chk_history_submissions as
select * from int_history_submissions;

create or replace temp table chk_history_cells as
select * from int_history_cells;

create or replace temp table chk_history_narratives as
select * from int_history_narratives;

create or replace temp view int_history_submissions as select * from chk_history_submissions;

create or replace temp view int_history_cells as select * from chk_history_cells;

create or replace temp view int_history_narratives as select * from chk_history_narratives;

delete from int_submissions_current
where submission_id not in (select submission_id from chk_scope);

-- (int_cells_current is a view of chk_store's table: sql/intermediate/int_cells_current.sql)
delete from chk_store.int_cells_current
where submission_id not in (select submission_id from chk_scope);

delete from int_narratives_current
where submission_id not in (select submission_id from chk_scope);

delete from int_inferred_cells
where submission_id not in (select submission_id from chk_scope);
