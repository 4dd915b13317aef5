"""All ORM classes; importing this package registers every table on Base.metadata."""

from app.models.assignment import (
    Assignment,
    AssignmentPerson,
    AssignmentReminder,
    AssignmentUnit,
    Notice,
)
from app.models.audit import AuditEvent
from app.models.certificate import Certificate, CertificateCounter, CertificateRevision
from app.models.course import (
    Course,
    CourseDraft,
    CourseDraftFile,
    CourseMedia,
    CourseRun,
    CourseRunTrainer,
    CourseTrainer,
    CourseVersion,
    Lesson,
    Module,
    Question,
    Quiz,
)
from app.models.evaluation import EvaluationReceipt, EvaluationResponse
from app.models.job import Job
from app.models.learning import (
    Answer,
    Attempt,
    AttemptAllowance,
    Enrollment,
    ExternalTraining,
    JpEntry,
    LessonProgress,
)
from app.models.mail import OutboxMessage
from app.models.org import Instansi, Unit
from app.models.people import ImportBatch
from app.models.setting import AppSetting
from app.models.user import ApiToken, LoginThrottle, Role, User, UserRole, UserSession

__all__ = [
    "Answer",
    "ApiToken",
    "AppSetting",
    "Assignment",
    "AssignmentPerson",
    "AssignmentReminder",
    "AssignmentUnit",
    "Attempt",
    "AttemptAllowance",
    "AuditEvent",
    "Certificate",
    "CertificateCounter",
    "CertificateRevision",
    "Course",
    "CourseDraft",
    "CourseDraftFile",
    "CourseMedia",
    "CourseRun",
    "CourseRunTrainer",
    "CourseTrainer",
    "CourseVersion",
    "Enrollment",
    "EvaluationReceipt",
    "EvaluationResponse",
    "ExternalTraining",
    "ImportBatch",
    "Instansi",
    "Job",
    "JpEntry",
    "Lesson",
    "LessonProgress",
    "LoginThrottle",
    "Module",
    "Notice",
    "OutboxMessage",
    "Question",
    "Quiz",
    "Role",
    "Unit",
    "User",
    "UserRole",
    "UserSession",
]
