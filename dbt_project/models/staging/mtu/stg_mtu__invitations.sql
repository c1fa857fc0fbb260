with

invitations as (
    select * from {{ source('raw_mtu', 'mtu_invitations') }}
),

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
    where file_type = 'invitations'
),

invited_per_unit as (
    select
        round_files.survey_id,
        invitations._load_id as load_id,
        invitations.org_unit_code,
        invitations.invited
    from invitations
    inner join round_files on invitations._load_id = round_files.load_id
),

final as (
    select * from invited_per_unit
)

select * from final
