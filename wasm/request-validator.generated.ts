// Generated from schemas/request.schema.json by `npm run generate` (ajv standalone code); do not edit.
// A test regenerates this file and fails when it differs from the schema.
/* eslint-disable -- generated code, checked by regeneration instead */
// @ts-nocheck -- ajv's standalone output is untyped JavaScript; its one export is typed below.

/** Whether a value satisfies schemas/request.schema.json (annotations dropped, lengths in code points). */
export const validateRequest: (request: unknown) => boolean = (request) => validate(request);

const validate = validate20;
const schema31 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://gatehouse.dev/schemas/v1/request.schema.json",
  type: "object",
  properties: {
    user: {
      type: "object",
      properties: {
        id: { type: "string", minLength: 1, maxLength: 255 },
        userType: {
          type: "string",
          enum: [
            "Standard",
            "PowerPartner",
            "PowerCustomerSuccess",
            "CustomerSuccess",
            "CspLitePortal",
            "Guest",
            "CsnOnly",
          ],
        },
        profile: { type: "string", minLength: 1, maxLength: 255 },
        permissionSets: { type: "array", items: { type: "string", minLength: 1, maxLength: 255 } },
        permissionSetGroups: { type: "array", items: { type: "string", minLength: 1, maxLength: 255 } },
      },
      required: ["userType", "profile"],
      additionalProperties: false,
    },
    app: {
      type: ["object", "null"],
      properties: { clientId: { type: "string", minLength: 1, maxLength: 255 } },
      required: ["clientId"],
      additionalProperties: false,
    },
    channel: { type: "string", enum: ["api", "ui"] },
    grant: {
      type: "string",
      enum: [
        "web_server",
        "user_agent",
        "refresh_token",
        "jwt_bearer",
        "saml_bearer",
        "client_credentials",
        "device",
        "password",
        "soap_login",
        "token_exchange",
        "session",
      ],
    },
    sourceIp: {
      type: "string",
      maxLength: 45,
      pattern:
        "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|::(?:(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,4}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,3}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,2}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,1}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){5}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,0}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){6}[0-9a-fA-F]{1,4}::|::(?:[0-9a-fA-F]{1,4}:){0,5}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,4}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,2}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,1}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,0}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})$",
    },
    login: { type: "boolean" },
    session: {
      type: "object",
      properties: {
        originIp: {
          type: "string",
          maxLength: 45,
          pattern:
            "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|::(?:(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,4}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,3}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,2}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,1}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){5}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,0}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){6}[0-9a-fA-F]{1,4}::|::(?:[0-9a-fA-F]{1,4}:){0,5}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,4}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,2}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,1}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,0}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})$",
        },
        highAssurance: { type: "boolean" },
        identityVerified: { type: "boolean" },
      },
      additionalProperties: false,
    },
    site: { type: "string", minLength: 1, maxLength: 255 },
    priorAuthorization: { type: "boolean" },
  },
  required: ["user", "app", "channel", "grant", "sourceIp", "login"],
  additionalProperties: false,
  if: { properties: { app: { type: "null" } }, required: ["app"] },
  then: { properties: { grant: { enum: ["password", "soap_login", "session"] } } },
};
const func1 = Object.prototype.hasOwnProperty;
const func2 = (text) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};
const pattern4 = new RegExp(
  "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|::(?:(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,4}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,3}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,2}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,1}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){5}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,0}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){6}[0-9a-fA-F]{1,4}::|::(?:[0-9a-fA-F]{1,4}:){0,5}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,4}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,2}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,1}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,0}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})$",
  "u",
);
function validate20(
  data,
  { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {},
) {
  /*# sourceURL="https://gatehouse.dev/schemas/v1/request.schema.json" */ let vErrors = null;
  let errors = 0;
  const evaluated0 = validate20.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = undefined;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = undefined;
  }
  const _errs1 = errors;
  let valid0 = true;
  const _errs2 = errors;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    let missing0;
    if (data.app === undefined && (missing0 = "app")) {
      const err0 = {};
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    } else {
      if (data.app !== undefined) {
        if (data.app !== null) {
          const err1 = {};
          if (vErrors === null) {
            vErrors = [err1];
          } else {
            vErrors.push(err1);
          }
          errors++;
        }
      }
    }
  }
  var _valid0 = _errs2 === errors;
  errors = _errs1;
  if (vErrors !== null) {
    if (_errs1) {
      vErrors.length = _errs1;
    } else {
      vErrors = null;
    }
  }
  if (_valid0) {
    const _errs5 = errors;
    if (data && typeof data == "object" && !Array.isArray(data)) {
      if (data.grant !== undefined) {
        let data1 = data.grant;
        if (!(data1 === "password" || data1 === "soap_login" || data1 === "session")) {
          validate20.errors = [
            {
              instancePath: instancePath + "/grant",
              schemaPath: "#/then/properties/grant/enum",
              keyword: "enum",
              params: { allowedValues: schema31.then.properties.grant.enum },
            },
          ];
          return false;
        }
      }
    }
    var _valid0 = _errs5 === errors;
    valid0 = _valid0;
    if (valid0) {
      var props0 = {};
      props0.grant = true;
      props0.app = true;
    }
  }
  if (!valid0) {
    const err2 = { instancePath, schemaPath: "#/if", keyword: "if", params: { failingKeyword: "then" } };
    if (vErrors === null) {
      vErrors = [err2];
    } else {
      vErrors.push(err2);
    }
    errors++;
    validate20.errors = vErrors;
    return false;
  }
  if (errors === 0) {
    if (data && typeof data == "object" && !Array.isArray(data)) {
      let missing1;
      if (
        (data.user === undefined && (missing1 = "user")) ||
        (data.app === undefined && (missing1 = "app")) ||
        (data.channel === undefined && (missing1 = "channel")) ||
        (data.grant === undefined && (missing1 = "grant")) ||
        (data.sourceIp === undefined && (missing1 = "sourceIp")) ||
        (data.login === undefined && (missing1 = "login"))
      ) {
        validate20.errors = [
          { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: missing1 } },
        ];
        return false;
      } else {
        const _errs7 = errors;
        for (const key0 in data) {
          if (!func1.call(schema31.properties, key0)) {
            validate20.errors = [
              {
                instancePath,
                schemaPath: "#/additionalProperties",
                keyword: "additionalProperties",
                params: { additionalProperty: key0 },
              },
            ];
            return false;
            break;
          }
        }
        if (_errs7 === errors) {
          if (data.user !== undefined) {
            let data2 = data.user;
            const _errs8 = errors;
            if (errors === _errs8) {
              if (data2 && typeof data2 == "object" && !Array.isArray(data2)) {
                let missing2;
                if (
                  (data2.userType === undefined && (missing2 = "userType")) ||
                  (data2.profile === undefined && (missing2 = "profile"))
                ) {
                  validate20.errors = [
                    {
                      instancePath: instancePath + "/user",
                      schemaPath: "#/properties/user/required",
                      keyword: "required",
                      params: { missingProperty: missing2 },
                    },
                  ];
                  return false;
                } else {
                  const _errs10 = errors;
                  for (const key1 in data2) {
                    if (!(
                      key1 === "id" ||
                      key1 === "userType" ||
                      key1 === "profile" ||
                      key1 === "permissionSets" ||
                      key1 === "permissionSetGroups"
                    )) {
                      validate20.errors = [
                        {
                          instancePath: instancePath + "/user",
                          schemaPath: "#/properties/user/additionalProperties",
                          keyword: "additionalProperties",
                          params: { additionalProperty: key1 },
                        },
                      ];
                      return false;
                      break;
                    }
                  }
                  if (_errs10 === errors) {
                    if (data2.id !== undefined) {
                      let data3 = data2.id;
                      const _errs11 = errors;
                      if (errors === _errs11) {
                        if (typeof data3 === "string") {
                          if (func2(data3) > 255) {
                            validate20.errors = [
                              {
                                instancePath: instancePath + "/user/id",
                                schemaPath: "#/properties/user/properties/id/maxLength",
                                keyword: "maxLength",
                                params: { limit: 255 },
                              },
                            ];
                            return false;
                          } else {
                            if (func2(data3) < 1) {
                              validate20.errors = [
                                {
                                  instancePath: instancePath + "/user/id",
                                  schemaPath: "#/properties/user/properties/id/minLength",
                                  keyword: "minLength",
                                  params: { limit: 1 },
                                },
                              ];
                              return false;
                            }
                          }
                        } else {
                          validate20.errors = [
                            {
                              instancePath: instancePath + "/user/id",
                              schemaPath: "#/properties/user/properties/id/type",
                              keyword: "type",
                              params: { type: "string" },
                            },
                          ];
                          return false;
                        }
                      }
                      var valid4 = _errs11 === errors;
                    } else {
                      var valid4 = true;
                    }
                    if (valid4) {
                      if (data2.userType !== undefined) {
                        let data4 = data2.userType;
                        const _errs13 = errors;
                        if (typeof data4 !== "string") {
                          validate20.errors = [
                            {
                              instancePath: instancePath + "/user/userType",
                              schemaPath: "#/properties/user/properties/userType/type",
                              keyword: "type",
                              params: { type: "string" },
                            },
                          ];
                          return false;
                        }
                        if (!(
                          data4 === "Standard" ||
                          data4 === "PowerPartner" ||
                          data4 === "PowerCustomerSuccess" ||
                          data4 === "CustomerSuccess" ||
                          data4 === "CspLitePortal" ||
                          data4 === "Guest" ||
                          data4 === "CsnOnly"
                        )) {
                          validate20.errors = [
                            {
                              instancePath: instancePath + "/user/userType",
                              schemaPath: "#/properties/user/properties/userType/enum",
                              keyword: "enum",
                              params: { allowedValues: schema31.properties.user.properties.userType.enum },
                            },
                          ];
                          return false;
                        }
                        var valid4 = _errs13 === errors;
                      } else {
                        var valid4 = true;
                      }
                      if (valid4) {
                        if (data2.profile !== undefined) {
                          let data5 = data2.profile;
                          const _errs15 = errors;
                          if (errors === _errs15) {
                            if (typeof data5 === "string") {
                              if (func2(data5) > 255) {
                                validate20.errors = [
                                  {
                                    instancePath: instancePath + "/user/profile",
                                    schemaPath: "#/properties/user/properties/profile/maxLength",
                                    keyword: "maxLength",
                                    params: { limit: 255 },
                                  },
                                ];
                                return false;
                              } else {
                                if (func2(data5) < 1) {
                                  validate20.errors = [
                                    {
                                      instancePath: instancePath + "/user/profile",
                                      schemaPath: "#/properties/user/properties/profile/minLength",
                                      keyword: "minLength",
                                      params: { limit: 1 },
                                    },
                                  ];
                                  return false;
                                }
                              }
                            } else {
                              validate20.errors = [
                                {
                                  instancePath: instancePath + "/user/profile",
                                  schemaPath: "#/properties/user/properties/profile/type",
                                  keyword: "type",
                                  params: { type: "string" },
                                },
                              ];
                              return false;
                            }
                          }
                          var valid4 = _errs15 === errors;
                        } else {
                          var valid4 = true;
                        }
                        if (valid4) {
                          if (data2.permissionSets !== undefined) {
                            let data6 = data2.permissionSets;
                            const _errs17 = errors;
                            if (errors === _errs17) {
                              if (Array.isArray(data6)) {
                                var valid5 = true;
                                const len0 = data6.length;
                                for (let i0 = 0; i0 < len0; i0++) {
                                  let data7 = data6[i0];
                                  const _errs19 = errors;
                                  if (errors === _errs19) {
                                    if (typeof data7 === "string") {
                                      if (func2(data7) > 255) {
                                        validate20.errors = [
                                          {
                                            instancePath: instancePath + "/user/permissionSets/" + i0,
                                            schemaPath: "#/properties/user/properties/permissionSets/items/maxLength",
                                            keyword: "maxLength",
                                            params: { limit: 255 },
                                          },
                                        ];
                                        return false;
                                      } else {
                                        if (func2(data7) < 1) {
                                          validate20.errors = [
                                            {
                                              instancePath: instancePath + "/user/permissionSets/" + i0,
                                              schemaPath: "#/properties/user/properties/permissionSets/items/minLength",
                                              keyword: "minLength",
                                              params: { limit: 1 },
                                            },
                                          ];
                                          return false;
                                        }
                                      }
                                    } else {
                                      validate20.errors = [
                                        {
                                          instancePath: instancePath + "/user/permissionSets/" + i0,
                                          schemaPath: "#/properties/user/properties/permissionSets/items/type",
                                          keyword: "type",
                                          params: { type: "string" },
                                        },
                                      ];
                                      return false;
                                    }
                                  }
                                  var valid5 = _errs19 === errors;
                                  if (!valid5) {
                                    break;
                                  }
                                }
                              } else {
                                validate20.errors = [
                                  {
                                    instancePath: instancePath + "/user/permissionSets",
                                    schemaPath: "#/properties/user/properties/permissionSets/type",
                                    keyword: "type",
                                    params: { type: "array" },
                                  },
                                ];
                                return false;
                              }
                            }
                            var valid4 = _errs17 === errors;
                          } else {
                            var valid4 = true;
                          }
                          if (valid4) {
                            if (data2.permissionSetGroups !== undefined) {
                              let data8 = data2.permissionSetGroups;
                              const _errs21 = errors;
                              if (errors === _errs21) {
                                if (Array.isArray(data8)) {
                                  var valid6 = true;
                                  const len1 = data8.length;
                                  for (let i1 = 0; i1 < len1; i1++) {
                                    let data9 = data8[i1];
                                    const _errs23 = errors;
                                    if (errors === _errs23) {
                                      if (typeof data9 === "string") {
                                        if (func2(data9) > 255) {
                                          validate20.errors = [
                                            {
                                              instancePath: instancePath + "/user/permissionSetGroups/" + i1,
                                              schemaPath:
                                                "#/properties/user/properties/permissionSetGroups/items/maxLength",
                                              keyword: "maxLength",
                                              params: { limit: 255 },
                                            },
                                          ];
                                          return false;
                                        } else {
                                          if (func2(data9) < 1) {
                                            validate20.errors = [
                                              {
                                                instancePath: instancePath + "/user/permissionSetGroups/" + i1,
                                                schemaPath:
                                                  "#/properties/user/properties/permissionSetGroups/items/minLength",
                                                keyword: "minLength",
                                                params: { limit: 1 },
                                              },
                                            ];
                                            return false;
                                          }
                                        }
                                      } else {
                                        validate20.errors = [
                                          {
                                            instancePath: instancePath + "/user/permissionSetGroups/" + i1,
                                            schemaPath: "#/properties/user/properties/permissionSetGroups/items/type",
                                            keyword: "type",
                                            params: { type: "string" },
                                          },
                                        ];
                                        return false;
                                      }
                                    }
                                    var valid6 = _errs23 === errors;
                                    if (!valid6) {
                                      break;
                                    }
                                  }
                                } else {
                                  validate20.errors = [
                                    {
                                      instancePath: instancePath + "/user/permissionSetGroups",
                                      schemaPath: "#/properties/user/properties/permissionSetGroups/type",
                                      keyword: "type",
                                      params: { type: "array" },
                                    },
                                  ];
                                  return false;
                                }
                              }
                              var valid4 = _errs21 === errors;
                            } else {
                              var valid4 = true;
                            }
                          }
                        }
                      }
                    }
                  }
                }
              } else {
                validate20.errors = [
                  {
                    instancePath: instancePath + "/user",
                    schemaPath: "#/properties/user/type",
                    keyword: "type",
                    params: { type: "object" },
                  },
                ];
                return false;
              }
            }
            var valid3 = _errs8 === errors;
          } else {
            var valid3 = true;
          }
          if (valid3) {
            if (data.app !== undefined) {
              let data10 = data.app;
              const _errs25 = errors;
              if (!(data10 && typeof data10 == "object" && !Array.isArray(data10)) && data10 !== null) {
                validate20.errors = [
                  {
                    instancePath: instancePath + "/app",
                    schemaPath: "#/properties/app/type",
                    keyword: "type",
                    params: { type: schema31.properties.app.type },
                  },
                ];
                return false;
              }
              if (errors === _errs25) {
                if (data10 && typeof data10 == "object" && !Array.isArray(data10)) {
                  let missing3;
                  if (data10.clientId === undefined && (missing3 = "clientId")) {
                    validate20.errors = [
                      {
                        instancePath: instancePath + "/app",
                        schemaPath: "#/properties/app/required",
                        keyword: "required",
                        params: { missingProperty: missing3 },
                      },
                    ];
                    return false;
                  } else {
                    const _errs27 = errors;
                    for (const key2 in data10) {
                      if (!(key2 === "clientId")) {
                        validate20.errors = [
                          {
                            instancePath: instancePath + "/app",
                            schemaPath: "#/properties/app/additionalProperties",
                            keyword: "additionalProperties",
                            params: { additionalProperty: key2 },
                          },
                        ];
                        return false;
                        break;
                      }
                    }
                    if (_errs27 === errors) {
                      if (data10.clientId !== undefined) {
                        let data11 = data10.clientId;
                        const _errs28 = errors;
                        if (errors === _errs28) {
                          if (typeof data11 === "string") {
                            if (func2(data11) > 255) {
                              validate20.errors = [
                                {
                                  instancePath: instancePath + "/app/clientId",
                                  schemaPath: "#/properties/app/properties/clientId/maxLength",
                                  keyword: "maxLength",
                                  params: { limit: 255 },
                                },
                              ];
                              return false;
                            } else {
                              if (func2(data11) < 1) {
                                validate20.errors = [
                                  {
                                    instancePath: instancePath + "/app/clientId",
                                    schemaPath: "#/properties/app/properties/clientId/minLength",
                                    keyword: "minLength",
                                    params: { limit: 1 },
                                  },
                                ];
                                return false;
                              }
                            }
                          } else {
                            validate20.errors = [
                              {
                                instancePath: instancePath + "/app/clientId",
                                schemaPath: "#/properties/app/properties/clientId/type",
                                keyword: "type",
                                params: { type: "string" },
                              },
                            ];
                            return false;
                          }
                        }
                      }
                    }
                  }
                }
              }
              var valid3 = _errs25 === errors;
            } else {
              var valid3 = true;
            }
            if (valid3) {
              if (data.channel !== undefined) {
                let data12 = data.channel;
                const _errs30 = errors;
                if (typeof data12 !== "string") {
                  validate20.errors = [
                    {
                      instancePath: instancePath + "/channel",
                      schemaPath: "#/properties/channel/type",
                      keyword: "type",
                      params: { type: "string" },
                    },
                  ];
                  return false;
                }
                if (!(data12 === "api" || data12 === "ui")) {
                  validate20.errors = [
                    {
                      instancePath: instancePath + "/channel",
                      schemaPath: "#/properties/channel/enum",
                      keyword: "enum",
                      params: { allowedValues: schema31.properties.channel.enum },
                    },
                  ];
                  return false;
                }
                var valid3 = _errs30 === errors;
              } else {
                var valid3 = true;
              }
              if (valid3) {
                if (data.grant !== undefined) {
                  let data13 = data.grant;
                  const _errs32 = errors;
                  if (typeof data13 !== "string") {
                    validate20.errors = [
                      {
                        instancePath: instancePath + "/grant",
                        schemaPath: "#/properties/grant/type",
                        keyword: "type",
                        params: { type: "string" },
                      },
                    ];
                    return false;
                  }
                  if (!(
                    data13 === "web_server" ||
                    data13 === "user_agent" ||
                    data13 === "refresh_token" ||
                    data13 === "jwt_bearer" ||
                    data13 === "saml_bearer" ||
                    data13 === "client_credentials" ||
                    data13 === "device" ||
                    data13 === "password" ||
                    data13 === "soap_login" ||
                    data13 === "token_exchange" ||
                    data13 === "session"
                  )) {
                    validate20.errors = [
                      {
                        instancePath: instancePath + "/grant",
                        schemaPath: "#/properties/grant/enum",
                        keyword: "enum",
                        params: { allowedValues: schema31.properties.grant.enum },
                      },
                    ];
                    return false;
                  }
                  var valid3 = _errs32 === errors;
                } else {
                  var valid3 = true;
                }
                if (valid3) {
                  if (data.sourceIp !== undefined) {
                    let data14 = data.sourceIp;
                    const _errs34 = errors;
                    if (errors === _errs34) {
                      if (typeof data14 === "string") {
                        if (func2(data14) > 45) {
                          validate20.errors = [
                            {
                              instancePath: instancePath + "/sourceIp",
                              schemaPath: "#/properties/sourceIp/maxLength",
                              keyword: "maxLength",
                              params: { limit: 45 },
                            },
                          ];
                          return false;
                        } else {
                          if (!pattern4.test(data14)) {
                            validate20.errors = [
                              {
                                instancePath: instancePath + "/sourceIp",
                                schemaPath: "#/properties/sourceIp/pattern",
                                keyword: "pattern",
                                params: {
                                  pattern:
                                    "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|::(?:(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,4}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,3}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,2}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,1}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){5}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,0}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){6}[0-9a-fA-F]{1,4}::|::(?:[0-9a-fA-F]{1,4}:){0,5}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,4}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,2}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,1}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,0}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})$",
                                },
                              },
                            ];
                            return false;
                          }
                        }
                      } else {
                        validate20.errors = [
                          {
                            instancePath: instancePath + "/sourceIp",
                            schemaPath: "#/properties/sourceIp/type",
                            keyword: "type",
                            params: { type: "string" },
                          },
                        ];
                        return false;
                      }
                    }
                    var valid3 = _errs34 === errors;
                  } else {
                    var valid3 = true;
                  }
                  if (valid3) {
                    if (data.login !== undefined) {
                      const _errs36 = errors;
                      if (typeof data.login !== "boolean") {
                        validate20.errors = [
                          {
                            instancePath: instancePath + "/login",
                            schemaPath: "#/properties/login/type",
                            keyword: "type",
                            params: { type: "boolean" },
                          },
                        ];
                        return false;
                      }
                      var valid3 = _errs36 === errors;
                    } else {
                      var valid3 = true;
                    }
                    if (valid3) {
                      if (data.session !== undefined) {
                        let data16 = data.session;
                        const _errs38 = errors;
                        if (errors === _errs38) {
                          if (data16 && typeof data16 == "object" && !Array.isArray(data16)) {
                            const _errs40 = errors;
                            for (const key3 in data16) {
                              if (!(key3 === "originIp" || key3 === "highAssurance" || key3 === "identityVerified")) {
                                validate20.errors = [
                                  {
                                    instancePath: instancePath + "/session",
                                    schemaPath: "#/properties/session/additionalProperties",
                                    keyword: "additionalProperties",
                                    params: { additionalProperty: key3 },
                                  },
                                ];
                                return false;
                                break;
                              }
                            }
                            if (_errs40 === errors) {
                              if (data16.originIp !== undefined) {
                                let data17 = data16.originIp;
                                const _errs41 = errors;
                                if (errors === _errs41) {
                                  if (typeof data17 === "string") {
                                    if (func2(data17) > 45) {
                                      validate20.errors = [
                                        {
                                          instancePath: instancePath + "/session/originIp",
                                          schemaPath: "#/properties/session/properties/originIp/maxLength",
                                          keyword: "maxLength",
                                          params: { limit: 45 },
                                        },
                                      ];
                                      return false;
                                    } else {
                                      if (!pattern4.test(data17)) {
                                        validate20.errors = [
                                          {
                                            instancePath: instancePath + "/session/originIp",
                                            schemaPath: "#/properties/session/properties/originIp/pattern",
                                            keyword: "pattern",
                                            params: {
                                              pattern:
                                                "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|::(?:(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,4}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,3}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,2}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,1}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){5}[0-9a-fA-F]{1,4}::(?:(?:[0-9a-fA-F]{1,4}:){0,0}[0-9a-fA-F]{1,4})?|(?:[0-9a-fA-F]{1,4}:){6}[0-9a-fA-F]{1,4}::|::(?:[0-9a-fA-F]{1,4}:){0,5}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){0}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,4}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){1}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){2}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,2}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){3}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,1}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}|(?:[0-9a-fA-F]{1,4}:){4}[0-9a-fA-F]{1,4}::(?:[0-9a-fA-F]{1,4}:){0,0}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})$",
                                            },
                                          },
                                        ];
                                        return false;
                                      }
                                    }
                                  } else {
                                    validate20.errors = [
                                      {
                                        instancePath: instancePath + "/session/originIp",
                                        schemaPath: "#/properties/session/properties/originIp/type",
                                        keyword: "type",
                                        params: { type: "string" },
                                      },
                                    ];
                                    return false;
                                  }
                                }
                                var valid8 = _errs41 === errors;
                              } else {
                                var valid8 = true;
                              }
                              if (valid8) {
                                if (data16.highAssurance !== undefined) {
                                  const _errs43 = errors;
                                  if (typeof data16.highAssurance !== "boolean") {
                                    validate20.errors = [
                                      {
                                        instancePath: instancePath + "/session/highAssurance",
                                        schemaPath: "#/properties/session/properties/highAssurance/type",
                                        keyword: "type",
                                        params: { type: "boolean" },
                                      },
                                    ];
                                    return false;
                                  }
                                  var valid8 = _errs43 === errors;
                                } else {
                                  var valid8 = true;
                                }
                                if (valid8) {
                                  if (data16.identityVerified !== undefined) {
                                    const _errs45 = errors;
                                    if (typeof data16.identityVerified !== "boolean") {
                                      validate20.errors = [
                                        {
                                          instancePath: instancePath + "/session/identityVerified",
                                          schemaPath: "#/properties/session/properties/identityVerified/type",
                                          keyword: "type",
                                          params: { type: "boolean" },
                                        },
                                      ];
                                      return false;
                                    }
                                    var valid8 = _errs45 === errors;
                                  } else {
                                    var valid8 = true;
                                  }
                                }
                              }
                            }
                          } else {
                            validate20.errors = [
                              {
                                instancePath: instancePath + "/session",
                                schemaPath: "#/properties/session/type",
                                keyword: "type",
                                params: { type: "object" },
                              },
                            ];
                            return false;
                          }
                        }
                        var valid3 = _errs38 === errors;
                      } else {
                        var valid3 = true;
                      }
                      if (valid3) {
                        if (data.site !== undefined) {
                          let data20 = data.site;
                          const _errs47 = errors;
                          if (errors === _errs47) {
                            if (typeof data20 === "string") {
                              if (func2(data20) > 255) {
                                validate20.errors = [
                                  {
                                    instancePath: instancePath + "/site",
                                    schemaPath: "#/properties/site/maxLength",
                                    keyword: "maxLength",
                                    params: { limit: 255 },
                                  },
                                ];
                                return false;
                              } else {
                                if (func2(data20) < 1) {
                                  validate20.errors = [
                                    {
                                      instancePath: instancePath + "/site",
                                      schemaPath: "#/properties/site/minLength",
                                      keyword: "minLength",
                                      params: { limit: 1 },
                                    },
                                  ];
                                  return false;
                                }
                              }
                            } else {
                              validate20.errors = [
                                {
                                  instancePath: instancePath + "/site",
                                  schemaPath: "#/properties/site/type",
                                  keyword: "type",
                                  params: { type: "string" },
                                },
                              ];
                              return false;
                            }
                          }
                          var valid3 = _errs47 === errors;
                        } else {
                          var valid3 = true;
                        }
                        if (valid3) {
                          if (data.priorAuthorization !== undefined) {
                            const _errs49 = errors;
                            if (typeof data.priorAuthorization !== "boolean") {
                              validate20.errors = [
                                {
                                  instancePath: instancePath + "/priorAuthorization",
                                  schemaPath: "#/properties/priorAuthorization/type",
                                  keyword: "type",
                                  params: { type: "boolean" },
                                },
                              ];
                              return false;
                            }
                            var valid3 = _errs49 === errors;
                          } else {
                            var valid3 = true;
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    } else {
      validate20.errors = [{ instancePath, schemaPath: "#/type", keyword: "type", params: { type: "object" } }];
      return false;
    }
  }
  validate20.errors = vErrors;
  return errors === 0;
}
validate20.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
