from tests.authoring.fixtures import course as course
