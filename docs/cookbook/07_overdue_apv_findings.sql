-- Open APV findings past their due date in the latest register snapshot.
-- (Åbne APV-fund med overskredet frist i det seneste øjebliksbillede.)
select
    findings.org_unit_code,
    findings.finding_id,
    findings.category,
    findings.severity,
    findings.status,
    findings.due_date,
    findings.snapshot_date - findings.due_date as days_overdue
from marts.apv_findings_status as findings
where
    findings.snapshot_date = (select max(snapshot_date) from marts.apv_findings_status)
    and findings.is_overdue
order by findings.severity_level desc, days_overdue desc, findings.finding_id;
