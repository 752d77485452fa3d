using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PgClone.Web.Migrations
{
    /// <inheritdoc />
    public partial class MaskingPoliciesAndSchedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "MaskPolicyVersionId",
                table: "runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Overlap",
                table: "runs",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RefreshJson",
                table: "runs",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ScheduleId",
                table: "runs",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TargetKey",
                table: "runs",
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaskPolicyId",
                table: "clone_profiles",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "mask_policies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Owner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mask_policies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "schedules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ProfileId = table.Column<int>(type: "integer", nullable: false),
                    Cron = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    TimeZone = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Misfire = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Overlap = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    RequireMasking = table.Column<bool>(type: "boolean", nullable: false),
                    RefreshJson = table.Column<string>(type: "jsonb", nullable: true),
                    OwnerId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    Owner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_schedules_clone_profiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "clone_profiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "mask_policy_versions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PolicyId = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    RulesJson = table.Column<string>(type: "json", nullable: false),
                    Note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mask_policy_versions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_mask_policy_versions_mask_policies_PolicyId",
                        column: x => x.PolicyId,
                        principalTable: "mask_policies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "schedule_webhooks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ScheduleId = table.Column<int>(type: "integer", nullable: false),
                    Url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    SecretEncrypted = table.Column<string>(type: "text", nullable: false),
                    Events = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedule_webhooks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_schedule_webhooks_schedules_ScheduleId",
                        column: x => x.ScheduleId,
                        principalTable: "schedules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_runs_MaskPolicyVersionId",
                table: "runs",
                column: "MaskPolicyVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_runs_ScheduleId_SubmittedAt",
                table: "runs",
                columns: new[] { "ScheduleId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_clone_profiles_MaskPolicyId",
                table: "clone_profiles",
                column: "MaskPolicyId");

            migrationBuilder.CreateIndex(
                name: "IX_mask_policies_Name",
                table: "mask_policies",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_mask_policy_versions_PolicyId_Version",
                table: "mask_policy_versions",
                columns: new[] { "PolicyId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_schedule_webhooks_ScheduleId",
                table: "schedule_webhooks",
                column: "ScheduleId");

            migrationBuilder.CreateIndex(
                name: "IX_schedules_Name",
                table: "schedules",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_schedules_ProfileId",
                table: "schedules",
                column: "ProfileId");

            migrationBuilder.AddForeignKey(
                name: "FK_clone_profiles_mask_policies_MaskPolicyId",
                table: "clone_profiles",
                column: "MaskPolicyId",
                principalTable: "mask_policies",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_runs_mask_policy_versions_MaskPolicyVersionId",
                table: "runs",
                column: "MaskPolicyVersionId",
                principalTable: "mask_policy_versions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_runs_schedules_ScheduleId",
                table: "runs",
                column: "ScheduleId",
                principalTable: "schedules",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_clone_profiles_mask_policies_MaskPolicyId",
                table: "clone_profiles");

            migrationBuilder.DropForeignKey(
                name: "FK_runs_mask_policy_versions_MaskPolicyVersionId",
                table: "runs");

            migrationBuilder.DropForeignKey(
                name: "FK_runs_schedules_ScheduleId",
                table: "runs");

            migrationBuilder.DropTable(
                name: "mask_policy_versions");

            migrationBuilder.DropTable(
                name: "schedule_webhooks");

            migrationBuilder.DropTable(
                name: "mask_policies");

            migrationBuilder.DropTable(
                name: "schedules");

            migrationBuilder.DropIndex(
                name: "IX_runs_MaskPolicyVersionId",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_ScheduleId_SubmittedAt",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_clone_profiles_MaskPolicyId",
                table: "clone_profiles");

            migrationBuilder.DropColumn(
                name: "MaskPolicyVersionId",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "Overlap",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "RefreshJson",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "ScheduleId",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "TargetKey",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "MaskPolicyId",
                table: "clone_profiles");
        }
    }
}
