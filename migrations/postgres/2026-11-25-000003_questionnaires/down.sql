DROP TABLE findings;
DROP TABLE assessment_evidence;
DROP TABLE assessment_answers;
DROP TABLE assessments;
DROP TABLE questionnaire_templates;
