{#- Every delivered absence record, as delivered: the delta feed's history of each spell.
    int_absence_spells decides which record of a spell stands. -#}
with

absence as (
    select * from {{ source('raw_hr', 'hr_absence') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

delivered as (
    select
        absence.absence_id,
        loaded_files.extract_date,
        absence._load_id as load_id,
        absence._line as line_number,
        absence.employee_number as employee_id,
        lower(absence.absence_type) as absence_type,
        absence.start_date,
        absence.end_date,
        absence.workdays,
        coalesce(absence.deleted, false) as is_deleted,
        absence.last_modified as last_modified_at
    from absence
    inner join loaded_files on absence._load_id = loaded_files.load_id
),

final as (
    select * from delivered
)

select * from final
